// ESLint (flat config): the recommended rules, with the globals of where each part runs.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['dist/', 'release/', 'screenshots/'] },
  js.configs.recommended,
  {
    // The renderer runs in the page (Electron's sandboxed window or a browser).
    files: ['src/renderer/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    // Node: Electron's main process, the scripts, the configs and the Node-run tests.
    files: ['src/main/**/*.js', 'scripts/**/*.mjs', 'tests/main/**/*.js', '*.config.js'],
    languageOptions: { globals: globals.node },
  },
  {
    // Vitest runs the unit tests in Node, some of them in jsdom's page; the end-to-end
    // tests run in Node and hand functions to the browser (page.evaluate).
    files: ['tests/unit/**/*.js', 'tests/e2e/**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
];
