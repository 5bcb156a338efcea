/** One Jest run for unit specs (beside the code) and e2e specs (test/), transpiled by SWC.
 *  Type-checking is a separate `npm run typecheck`. */
const swc = ['@swc/jest', {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2021',
    keepClassNames: true,
    // Rewrites @app/common at transform time, so globalSetup (which ignores moduleNameMapper) resolves it too.
    baseUrl: __dirname,
    paths: { '@app/common': ['libs/common/src'], '@app/common/*': ['libs/common/src/*'] },
  },
  module: { type: 'commonjs' },
}];

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/{src,libs}/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|j)s$': swc },
  // ESM-only packages (and @nestjs, per the stack notes) are transpiled to CommonJS for Jest.
  transformIgnorePatterns: [
    `/node_modules/(?!(${[
      '@nestjs', '@apidevtools', '@fastify/static', 'jose', 'content-disposition', 'glob', 'minimatch',
      '@isaacs/nonrecursive-glob-match', 'brace-expansion', 'balanced-match', 'minipass', 'path-scurry', 'lru-cache',
    ].join('|')})/)`,
  ],
  moduleNameMapper: {
    '^@app/common$': '<rootDir>/libs/common/src',
    '^@app/common/(.*)$': '<rootDir>/libs/common/src/$1',
  },
  globalSetup: '<rootDir>/test/harness/global-setup.ts',
  globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
  testTimeout: 30000,
  // CI machines have 2 cores; e2e files each own a database, so two run side by side safely.
  maxWorkers: process.env.CI ? 2 : '50%',
};
