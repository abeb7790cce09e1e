/** One jest run: unit specs and integration specs against the real Postgres and Redis the harness starts. */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testRegex: '\\.(spec|integration-spec|e2e-spec)\\.ts$',
  // The abuse suite times the system under attack: it runs alone, after the rest (npm run test:abuse).
  // test:scale runs real processes under faults, alone (npm run test:scale, test/scale/jest.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/abuse/', '<rootDir>/test/scale/'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: {
    '^@kefu/shared$': '<rootDir>/libs/shared/src',
    '^@kefu/shared/(.*)$': '<rootDir>/libs/shared/src/$1',
  },
  globalSetup: '<rootDir>/libs/shared/src/testing/global-setup.ts',
  globalTeardown: '<rootDir>/libs/shared/src/testing/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
