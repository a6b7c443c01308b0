import type { Config } from 'jest';

/**
 * Three tiers (STYLE.md §8). Tests are compiled by SWC (type-checking is `npm run typecheck`), and
 * Nest 12's ES-module packages are transformed to CommonJS: Jest's module loader does not require(esm).
 * Node 24 loads this file itself (type stripping, as an ES module), so it has no __dirname; Jest's
 * rootDir defaults to this file's folder.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const aliases = {
  '^@app/testing$': '<rootDir>/test/support',
  '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src',
  '^@app/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
};

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j|mj|cj)s$': swc },
  // Only ES-module packages need transforming; the rest load as they are. openapi-typescript loads
  // through its CommonJS build, listed so that the ES-module packages it requires (parse-json,
  // supports-color, change-case) are reached under it: the drift test generates the typed client.
  transformIgnorePatterns: [
    '/node_modules/(?!(@nestjs|file-type|load-esm|strtok3|token-types|uint8array-extras|@tokenizer|uid|@fastify/static|content-disposition|openapi-typescript|parse-json|index-to-position|supports-color|change-case)/)',
  ],
  moduleNameMapper: aliases,
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
};

const e2eMatch = ['<rootDir>/apps/*/test/**/*.e2e-spec.ts'];

const config: Config = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/*/src/**/*.spec.ts', '<rootDir>/test/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: e2eMatch, globals: { TEST_TARGET: 'embedded' } },
    {
      ...common,
      displayName: 'integration',
      testMatch: [...e2eMatch, '<rootDir>/test/integration/**/*.int-spec.ts'],
      // The CLI's e2e drives embedded mode only (its services-mode commands run in test/integration).
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/apps/cli/test/'],
      globals: { TEST_TARGET: 'services' },
      globalSetup: '<rootDir>/test/support/require-services.ts',
    },
  ],
};

export default config;
