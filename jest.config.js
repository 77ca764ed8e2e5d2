/** One Jest run for unit specs (beside the code), integration and end-to-end tests (under test/). */
const swc = ['@swc/jest', require('./test/utils/swc-options')];

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src',
    // A lib's testing entry (libs/<lib>/src/testing.ts), for test/ and bench/ only.
    '^@app/([a-z-]+)/testing$': '<rootDir>/libs/$1/src/testing',
  },
  testMatch: ['<rootDir>/apps/**/*.spec.ts', '<rootDir>/libs/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  // Nest's console logger captured in memory, so deliberate failures do not print red (TEST_LOGS=print shows it).
  setupFilesAfterEnv: ['<rootDir>/test/utils/nest-log-capture.ts'],
  testTimeout: 30_000,
  maxWorkers: 2,
};
