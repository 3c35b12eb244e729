import type { Config } from 'jest';

const nodeProject: Config = {
  displayName: 'node',
  testEnvironment: 'node',
  roots: ['<rootDir>/spec'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/spec/bench/', '/spec/angular/'],
  modulePathIgnorePatterns: ['<rootDir>/spec/angular/latest/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json', diagnostics: { warnOnly: false } }],
  },
  // Sources import siblings with a `.js` suffix (required by the ESM build); map it back for jest.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

// The Angular entry under TestBed (Angular 21, zoneless) in jsdom. Angular ships ES modules only,
// so they are transformed to CommonJS like our TypeScript (spec/angular/support/transform.cjs).
const angularProject: Config = {
  displayName: 'angular',
  testEnvironment: 'jsdom',
  // The test server and the client's Node stack need the Node build of `ws`, not its browser stub
  // (which throws): jsdom's default conditions are the browser's.
  testEnvironmentOptions: { customExportConditions: ['node', 'node-addons'] },
  roots: ['<rootDir>/spec/angular'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  modulePathIgnorePatterns: ['<rootDir>/spec/angular/latest/'],
  transform: { '^.+\\.(ts|mjs)$': '<rootDir>/spec/angular/support/transform.cjs' },
  transformIgnorePatterns: ['/node_modules/(?!@angular/)'],
  moduleFileExtensions: ['ts', 'mjs', 'js', 'cjs', 'json'],
  moduleNameMapper: {
    // lib/angular imports the main entry by the package's name, as a user's code does.
    '^kiss-ai-stack-rx$': '<rootDir>/lib/index.ts',
    '^kiss-ai-stack-rx/socket$': '<rootDir>/lib/socket/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  setupFilesAfterEnv: ['<rootDir>/spec/angular/support/test-bed.ts'],
};

// Unit, conformance, browser and Angular specs run under `npm test`; benchmarks live in spec/bench
// and only run through `npm run bench`.
const config: Config = {
  projects: [nodeProject, angularProject],
  testTimeout: 20000,
};

export default config;
