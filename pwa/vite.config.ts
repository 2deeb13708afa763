import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const API_TARGET = 'http://127.0.0.1:8080';
const THEME_COLOR = '#0f766e';

// The server serves `dist/` at `/` (DESIGN §9), so the app is built for the site root.
export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      // Updates are the user's choice (STYLE "Front ends"): a banner offers the reload.
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
        // API calls must reach the network (or fail) — never be answered with the app shell.
        navigateFallbackDenylist: [/^\/api\//],
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
