/**
 * ESM jest (NestJS 12 is ESM-only): run through scripts/run-tests.mjs or
 * `node --experimental-vm-modules node_modules/jest/bin/jest.js`.
 */
/**
 * ESM-only packages that CommonJS dependencies require() (content-disposition under
 * @fastify/static): Node 20's jest cannot require ESM, so these are compiled to CommonJS.
 */
const ESM_REQUIRED_FROM_CJS = ['content-disposition'];

const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest'],
    [`node_modules/(${ESM_REQUIRED_FROM_CJS.join('|')})/.+\\.js$`]: [
      '@swc/jest',
      { swcrc: false, jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_REQUIRED_FROM_CJS.join('|')})/)`],
  // Relative imports carry .js (nodenext); under jest they resolve to the .ts source.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  setupFiles: ['reflect-metadata'],
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...common, displayName: 'unit', rootDir: '.', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      rootDir: '.',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/utils/global-setup.mjs',
      globalTeardown: '<rootDir>/test/utils/global-teardown.mjs',
      setupFilesAfterEnv: ['<rootDir>/test/setup/timeout-e2e.ts', '<rootDir>/test/setup/sql-capture.ts'],
    },
    {
      ...common,
      displayName: 'browser',
      rootDir: '.',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      // The e2e database setup, then the console's browser code compiled once for every file.
      globalSetup: '<rootDir>/test/browser/global-setup.mjs',
      globalTeardown: '<rootDir>/test/utils/global-teardown.mjs',
      setupFilesAfterEnv: ['<rootDir>/test/setup/timeout-browser.ts'],
    },
  ],
};
