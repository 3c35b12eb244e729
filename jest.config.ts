import type { Config } from 'jest';

// Unit, conformance and browser specs run under `npm test`; benchmarks live in spec/bench and only
// run through `npm run bench`.
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/spec/bench/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json', diagnostics: { warnOnly: false } }],
  },
  // Sources import siblings with a `.js` suffix (required by the ESM build); map it back for jest.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 20000,
};

export default config;
