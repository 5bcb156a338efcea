// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'migrations/**', '*.config.js', '*.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // Heavy SDKs loaded on first use, not at startup (issue 9: API cold start and idle memory):
    // a value import here would put them back into every process. Types are fine.
    files: ['src/**/*.ts', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [
          { name: 'bullmq', allowTypeImports: true, message: 'Use bullmq() / unrecoverableJobError() from @app/common: BullMQ is loaded on first use.' },
          { name: 'stripe', allowTypeImports: true, message: 'The Stripe SDK is loaded when a StripePaymentProvider is constructed (stripe.provider.ts).' },
          { name: 'sharp', allowTypeImports: true, message: 'sharp is loaded on first use (media/image-sizes.ts).' },
          { name: 'jwks-rsa', allowTypeImports: true, message: 'jwks-rsa is loaded when an external token issuer is configured (token-verifier.service.ts).' },
        ],
      }],
    },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
