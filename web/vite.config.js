// Builds the web app that the server embeds: everything lands in dist/, with hashed
// file names under dist/assets/ so the server can cache them for a long time.
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

export default defineConfig({
  base: '/',
  // Installable, and the shell with its assets precached, so that a station's page opens
  // with no network (every path falls back to index.html). The API is never cached: a
  // station keeps its registrations in IndexedDB itself and sends them when it can.
  plugins: [
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: 'script',
      includeAssets: ['favicon.svg'],
      manifest: {
        name: '守望 Shouwang',
        short_name: '守望',
        description: '社区守望 · Neighbourhood watch',
        lang: 'zh-CN',
        start_url: '/home',
        scope: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#1f5f8b',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//],
        runtimeCaching: [],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
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
