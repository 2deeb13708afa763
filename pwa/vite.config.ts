import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const API_TARGET = 'http://127.0.0.1:8080';
const THEME_COLOR = '#0f766e';

/**
 * Navigations the service worker answers with the app shell: only the app's own, which is `/`
 * (the app has no client-side routes). Every other path is the server's: the API (health,
 * metrics, photos included) and the console at /console/ (server/src/app.ts), and any path it
 * adds later. A browser that opened the staff app once must still reach them (issue #11).
 */
export const APP_NAVIGATIONS = [/^\/(index\.html)?(\?.*)?$/];
/** Named as well, so they stay out even if APP_NAVIGATIONS ever widens. */
export const SERVER_NAVIGATIONS = [/^\/api(\/|\?|$)/, /^\/console(\/|\?|$)/];

// The server serves `dist/` at `/` (design §9), so the app is built for the site root.
export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      // Updates are the user's choice (style "Front ends"): a banner offers the reload.
      registerType: 'prompt',
      injectRegister: false,
      devOptions: { enabled: false },
      // The glob below already precaches public/ (icons included); listing them again duplicates.
      includeManifestIcons: false,
      manifest: {
        id: '/',
        name: 'Stock Verify',
        short_name: 'StockVerify',
        description: 'Warehouse stock verification: scan, count and sync, online or offline.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: THEME_COLOR,
        background_color: '#ffffff',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          {
            src: 'icons/maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
      workbox: {
        // The whole app shell is precached so the scanner opens with no network at all.
        globPatterns: ['**/*.{js,css,html,png,svg,ico,woff2,wasm}'],
        navigateFallback: 'index.html',
        // Server paths (API, console) must reach the network (or fail), never get the app shell.
        navigateFallbackAllowlist: APP_NAVIGATIONS,
        navigateFallbackDenylist: SERVER_NAVIGATIONS,
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  server: {
    proxy: { '/api': { target: API_TARGET, changeOrigin: false } },
  },
  preview: {
    proxy: { '/api': { target: API_TARGET, changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
});
