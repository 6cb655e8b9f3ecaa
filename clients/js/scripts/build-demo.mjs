// Builds the browser bundle the demo serves (apps/demo/assets/nanoauth-client.js):
// `createAuthClient` and `createPasskeyClient` from src/, with nanostores,
// as one ES module. It is committed, so that `cargo run -p nanoauth-demo`
// needs no Node; rebuild it after changing src/ (`npm run build:demo`).
//
// `node scripts/build-demo.mjs --check` writes nothing and fails when the
// committed bundle differs from what src/ builds to (run-tests.sh runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.resolve(root, '..', '..', 'apps', 'demo', 'assets', 'nanoauth-client.js');
const relative = path.relative(path.resolve(root, '..', '..'), target);

const result = await build({
  stdin: {
    contents: "export { createAuthClient } from './src/client.ts';\nexport { createPasskeyClient } from './src/passkey.ts';\n",
    resolveDir: root,
    sourcefile: 'demo-entry.ts',
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  // Readable in the repository and in the browser's devtools; the demo
  // serves it as is.
  minify: false,
  legalComments: 'none',
  charset: 'utf8',
  write: false,
  logLevel: 'silent',
  define: { 'process.env.NODE_ENV': '"production"' },
  banner: {
    js: [
      '// The NanoAuth browser client (clients/js: createAuthClient, createPasskeyClient, with nanostores),',
      '// bundled for the demo by `npm run build:demo` in clients/js. Generated: do not edit;',
      '// clients/js/run-tests.sh fails when it is stale.',
    ].join('\n'),
  },
});
const bundle = result.outputFiles[0].text;

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // Missing: stale too.
  }
  if (committed !== bundle) {
    console.error(`${relative} is stale: run \`npm run build:demo\` in clients/js and commit it`);
    process.exit(1);
  }
  console.log(`${relative} is up to date (${bundle.length} bytes)`);
} else {
  writeFileSync(target, bundle);
  console.log(`wrote ${relative} (${bundle.length} bytes)`);
}
