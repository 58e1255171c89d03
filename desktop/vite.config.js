// Web build of the renderer: dist/web, relative asset paths (base './') so the same
// files work at the server's / and under Electron's app://parley/.
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// The installable web app: the manifest, and the service worker built from
// src/renderer/sw.js with the build's files listed for Workbox to precache (lib/pwa.js
// registers it, in a browser only).
const pwa = VitePWA({
  strategies: 'injectManifest',
  srcDir: '.',
  filename: 'sw.js',
  injectRegister: false,
  includeManifestIcons: false, // the glob below has them already
  manifestFilename: 'manifest.webmanifest',
  manifest: {
    name: 'Parley',
    short_name: 'Parley',
    description: 'Parley, a self-hosted messenger',
    id: './',
    start_url: './',
    scope: './',
    display: 'standalone',
    theme_color: '#4f46e5',
    background_color: '#ffffff',
    icons: [
      { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  },
  injectManifest: {
    // The shell only: the favicon and icons come along, nothing the server answers.
    globPatterns: ['**/*.{html,js,css,png,svg,woff2}'],
    rollupFormat: 'iife',
  },
});

export default defineConfig({
  root: 'src/renderer',
  base: './',
  plugins: [tailwindcss(), pwa],
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
