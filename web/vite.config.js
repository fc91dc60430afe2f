// Builds the web app that the server embeds: everything lands in dist/, with hashed
// file names under dist/assets/ so the server can cache them for a long time.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  // Preact's automatic JSX runtime, done by Vite's own transformer (no Babel preset).
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    // The embedded copy is served from memory; source maps would only add weight.
    sourcemap: false,
    // Inline nothing: every asset is a separate, cacheable, hashed file.
    assetsInlineLimit: 0,
  },
  server: {
    // `npm run dev` talks to a server started with `make run`.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
