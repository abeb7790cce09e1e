/** What global-setup passes to test files (through the KEFU_TEST_HARNESS variable). */
export interface HarnessState {
  root: string;
  pgAdminUrl: string;
  redisUrl: string;
}

/** The migrated database each test file's database is cloned from. */
export const TEMPLATE_DB = 'kefu_template';

export function harnessState(): HarnessState {
  const raw = process.env.KEFU_TEST_HARNESS;
  if (!raw)
    throw new Error(
      'The test harness is not running: run tests with `npm test` (jest globalSetup starts Postgres and Redis).',
    );
  return JSON.parse(raw) as HarnessState;
}
