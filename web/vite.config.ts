// Builds the explorer (index.html, Preact) and the playground
// (playground.html, GraphiQL on React) into dist/, which web.go embeds.
// The output must be byte-identical for identical inputs: CI rebuilds it and
// fails when the committed copy differs. So: content hashes only, no source
// maps, no timestamps, no absolute paths.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: here('public'),
  // The explorer's JSX is Preact's; the playground's files opt into React
  // with a @jsxImportSource pragma.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact', legalComments: 'none' },
  server: {
    // `npm run dev` proxies the API to a server started with `go run ./cmd/api --demo`.
    proxy: { '/graphql': 'http://127.0.0.1:8080' },
  },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2500,
    rollupOptions: {
      onwarn(warning, warn) {
        // Radix UI (inside GraphiQL) marks modules "use client"; meaningless here.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      input: {
        index: here('index.html'),
        playground: here('playground.html'),
      },
    },
  },
});
