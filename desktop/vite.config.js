// Web build of the renderer: dist/web, relative asset paths (base './') so the same
// files work at the server's / and under Electron's app://parley/.
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [tailwindcss()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    // No inline <script>/<style>: the CSP forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  test: {
    root: '.',
    include: ['tests/unit/**/*.test.js'],
    environment: 'node',
  },
});
