import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The storefront talks to /graphql on its own origin (HTTP and graphql-ws): in development Vite
// proxies it to the router (ROUTER_URL, default the local stack's), in `npm start` web/serve.mjs does,
// so the browser never makes a cross-origin request and the router needs no CORS policy.
const router = process.env.ROUTER_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [react()],
  server: {
    host: '127.0.0.1',
    port: Number(process.env.STOREFRONT_PORT ?? 3000),
    proxy: { '/graphql': { target: router, ws: true, changeOrigin: true } },
  },
  // One bundle of about 400 kB (130 kB gzipped) is fine for a demo; no code splitting yet.
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 1024 },
});
