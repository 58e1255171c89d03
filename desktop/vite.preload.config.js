// The preload runs sandboxed, where `require` only knows 'electron' and a few
// built-ins: bundle it (with src/common) into one CommonJS file.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: 'dist/preload',
    emptyOutDir: true,
    minify: false,
    lib: {
      entry: 'src/preload/index.js',
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rollupOptions: { external: ['electron'] },
  },
});
