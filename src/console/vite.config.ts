import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = (relative: string): string => decodeURIComponent(new URL(relative, import.meta.url).pathname);

// Served by the mnpd server under /console/ (src/http/console/plugin.ts serves dist/console).
export default defineConfig({
  root: here('.'),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: here('../../dist/console'),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        // Charts are heavy and only some pages draw them: their own chunk, loaded with the first chart.
        codeSplitting: {
          groups: [{ name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/, priority: 1 }],
        },
      },
    },
  },
  server: {
    // `npx vite --config src/console/vite.config.ts` against a local `mnpd serve` on :8080.
    proxy: { '/console/api': 'http://127.0.0.1:8080' },
  },
});
