// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The package's own modules outside lib/: they are jobline, so they may use its internals. */
const PACKAGE_MODULES = ['infra/index.ts', 'infra/job-queue*.ts', 'infra/web-dashboard.ts', 'infra/node-function.ts', 'infra/stable-output.ts', 'functions/sweeper.ts', 'functions/dispatcher.ts', 'functions/web-dashboard.ts', 'web/**/*.ts', 'cli/**/*.ts'];

const NO_CDK = { group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'], message: 'Lambda code must not import the CDK' };
const NO_DEEP_IMPORT = {
  regex: '^(\\.\\./)+lib/',
  message: 'import jobline through its entry points (jobline, jobline/worker, jobline/inspector, jobline/api, jobline/cdk, jobline/testing), not lib/',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'cdk.out/', '.jobline/', '.venv/', 'coverage/', 'scratch/', 'examples/*/node_modules/', 'examples/*/cdk.out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Scripts that run before anything is installed.
    files: ['**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    // The dashboard's front end runs in the browser, with Chart.js and amazon-cognito-identity-js loaded by script tags.
    files: ['web/static/**/*.js'],
    languageOptions: { globals: { ...globals.browser, Chart: 'readonly', AmazonCognitoIdentity: 'readonly' } },
  },
  {
    // Lambda code must never pull in the CDK (the worker bundle stays small).
    files: ['lib/**/*.ts', 'functions/sweeper.ts', 'functions/dispatcher.ts', 'functions/web-dashboard.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_CDK] }] },
  },
  {
    // Everything that uses jobline — the reference app, its functions, the scripts, the examples —
    // goes through the package's entry points (`jobline`, `jobline/worker`, …), as a team's app would.
    // Tests and benchmarks may reach internals; so may the package's own modules outside lib/.
    files: ['infra/**/*.ts', 'scripts/**/*.ts', 'examples/**/*.ts'],
    // Build and test harness that must know the package's internals: the prebuilt functions, the jobs table's layout,
    // the tests' one-stack deploy and CI's emulator install.
    ignores: [...PACKAGE_MODULES, 'scripts/build-functions.ts', 'scripts/lib/job-tables.ts', 'scripts/lib/deploy.ts', 'scripts/emulator.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_DEEP_IMPORT] }] },
  },
  {
    files: ['functions/**/*.ts'],
    ignores: PACKAGE_MODULES,
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_DEEP_IMPORT, NO_CDK] }] },
  },
);
