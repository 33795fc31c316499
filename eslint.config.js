/**
 * ESLint flat configuration (`npm run lint`, and a step of `npm test`): type-aware rules from
 * typescript-eslint over src, test, bench and scripts. A deliberately small rule set, each rule
 * catching a real defect rather than a style preference:
 *   - no unused variables or imports (a leading underscore marks an argument or binding kept on
 *     purpose, e.g. to satisfy a callback signature);
 *   - no floating promises (a promise neither awaited, returned, caught nor marked `void`);
 *   - consistent naming: camelCase values, PascalCase types, UPPER_CASE constants.
 * Formatting is not linted. Type checking itself is `tsc` (the build), not ESLint.
 */
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'reports/**', '.stryker-tmp*/**', 'docs/api/**', 'bench/results/**', '**/*.js', '**/*.mjs', '**/*.cjs'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: {
        project: './tsconfig.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'all',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],

      '@typescript-eslint/naming-convention': [
        'error',
        // Default: camelCase; a leading underscore only for something deliberately unused.
        { selector: 'default', format: ['camelCase'], leadingUnderscore: 'allow' },
        { selector: 'import', format: ['camelCase', 'PascalCase'] },
        // Constants (module-level or local) may be UPPER_CASE; classes and factories PascalCase.
        { selector: 'variable', format: ['camelCase', 'UPPER_CASE', 'PascalCase'], leadingUnderscore: 'allow' },
        { selector: 'function', format: ['camelCase', 'PascalCase'] },
        { selector: 'parameter', format: ['camelCase', 'PascalCase'], leadingUnderscore: 'allow' },
        { selector: 'typeLike', format: ['PascalCase'] },
        { selector: 'enumMember', format: ['PascalCase', 'UPPER_CASE'] },
        { selector: 'classProperty', modifiers: ['static', 'readonly'], format: ['camelCase', 'UPPER_CASE'] },
        // Object keys and properties are often dictated by the outside world (IMAP capability
        // names, JSON columns, HTTP/env names, SQL rows): not checked when they need quotes,
        // and free in type literals and object literals.
        { selector: ['objectLiteralProperty', 'typeProperty', 'objectLiteralMethod'], format: null },
        { selector: ['classProperty', 'classMethod', 'accessor'], format: ['camelCase'], leadingUnderscore: 'allow' },
        { selector: 'memberLike', modifiers: ['requiresQuotes'], format: null },
      ],
    },
  },
);
