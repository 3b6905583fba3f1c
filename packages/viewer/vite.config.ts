import { defineConfig } from 'vite';

// Everything is bundled: the page needs nothing but its own server. Mermaid is split into
// its own chunks by the dynamic import and only fetched when a diagram is on screen.
export default defineConfig({
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3030', '/events': 'http://127.0.0.1:3030' } },
});
