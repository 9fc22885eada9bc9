/** End-to-end tests: the real app over real HTTP, on real PostgreSQL engines. */
module.exports = {
  testEnvironment: '<rootDir>/test/jest-environment.js',
  rootDir: '../..',
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e-spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 120000,
};
