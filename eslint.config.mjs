// ESLint: typescript-eslint's type-aware rules for the TypeScript sources; formatting is Prettier's job
// (eslint-config-prettier, last, turns off every rule the two could disagree on). `npm run lint` runs both.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'data/', 'coverage/', '**/fixtures/'] },

  {
    // .tsx and .mts: the web console (apps/console), type-checked against its own tsconfig.json.
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Named in the house rules, so spelled out even where recommendedTypeChecked already has them.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      // `_name` marks a parameter an interface makes us accept, or a key taken out of an object by
      // destructuring so that the rest can be passed on.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Off: an `async` method without `await` is how the code implements a Promise-returning interface
      // (ProviderAdapter, TypeORM and Nest hooks) so that a synchronous throw still arrives as a rejection.
      '@typescript-eslint/require-await': 'off',
      // A cancellation's reason is `unknown`, as AbortSignal.reason is; passing it on is re-throwing what the
      // canceller chose, not inventing a non-Error (the same allowance only-throw-error makes for `throw`).
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },

  {
    // Test code reads wire JSON untyped on purpose: a spec pins `await response.json()` down with expect(),
    // and the fake upstreams check the gateway's request bodies field by field as raw JSON (that is what
    // they are for). Typing every body would restate the wire format in each test. The promise rules stay
    // on: a missed `await expect(...).rejects` is exactly the test that cannot fail.
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  {
    // The few CommonJS config files (Jest, dependency-cruiser, the SWC options) and this file: no type
    // information, Node's globals.
    files: ['**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' },
    },
  },

  prettier,
);
