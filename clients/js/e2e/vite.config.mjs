// Builds the e2e page (app/) into .build/, with `nanoauth/*` taken from the
// package's built dist/ (run `npm run build` first): the test exercises what
// would be published.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../dist');

export default defineConfig({
  root: path.join(here, 'app'),
  logLevel: 'warn',
  resolve: {
    alias: [
      { find: /^nanoauth\/react$/, replacement: path.join(dist, 'react.js') },
      { find: /^nanoauth(\/client)?$/, replacement: path.join(dist, 'client.js') },
    ],
  },
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: path.join(here, '.build'),
    emptyOutDir: true,
    sourcemap: true,
  },
});
