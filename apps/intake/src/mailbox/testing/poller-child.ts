/**
 * The intake app in a process of its own, for the crash test (which kills it with SIGKILL mid-batch).
 * argv[2]: the environment as JSON (raw strings, validated by the config schema like at boot).
 */
import 'reflect-metadata';
import { configSchema, createApp } from '@kefu/shared';
import { intakeApp } from '../../intake.app';

async function main(): Promise<void> {
  const config = configSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  const app = await createApp(intakeApp, config);
  await app.init();
  process.stdout.write('ready\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`poller child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
