/** Unit tests live beside the code they test (`*.spec.ts`). */
module.exports = {
  testEnvironment: '<rootDir>/test/jest-environment.js',
  roots: ['<rootDir>/src', '<rootDir>/migrations'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Several specs run the fixture model through onnxruntime; on a shared 2-core machine with two
  // workers a few take seconds, so jest's 5 s default would fail them by load alone.
  testTimeout: 30000,
};
