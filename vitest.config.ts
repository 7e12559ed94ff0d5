import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // SWC, unlike esbuild, emits the decorator metadata that type-graphql reads.
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    // One graphql instance for our code and type-graphql/Apollo (CommonJS), as under plain Node.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
