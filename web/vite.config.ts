import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by the service itself from web/dist (no CDN): see src/http/console.ts.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1000 },
});
