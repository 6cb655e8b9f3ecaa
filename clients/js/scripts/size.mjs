// Prints the minified and minified+gzipped size of each entry of the built
// package (run `npm run build` first), and fails when one is over its budget.
//
// Each entry is bundled by esbuild the way an app's bundler would
// (browser, ESM, production), with React left out (the app has it anyway):
// once with nanostores left out too (the entry's own code) and once with
// nanostores bundled (what the entry adds to an app that has no nanostores).
//
// `node scripts/size.mjs --update-readme` also rewrites the table in
// README.md between the size markers; without it, a README whose table
// differs from this measurement gets a warning (not a failure).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Entry, its built file, and its budget (bytes, minified+gzipped, nanostores
 * bundled). Raised by 128 B each for the two-factor calls (~160 B). The
 * API key calls, `token()` and `call()` (~45 B after folding the two-factor
 * calls into one helper) raised both by 48 B and 16 B. The calls for the
 * rest of the server's routes (magic link, password reset and change,
 * email verification, `jwks()`: ~120 B, mostly their paths) raised both by
 * 128 B. Account management (`updateUser`, which keeps the store's user,
 * `changeEmail`, `deleteUser`, which signs out: ~75 B) raised both by 96 B.
 * Organizations (`organization.*`: ~260 B, its route names in one string)
 * raised both by 272 B, and `useActiveOrganization()` (a store following
 * the session's active organization, ~250 B) react by 256 B more. Admin
 * (`admin.*`: ~260 B, mostly its paths) raised both by 272 B; an entry of
 * its own, as passkeys have, would let apps without admins pay nothing.
 * Owners of API keys (`apiKey.list(owner?)`, its query string: ~12 B)
 * raised the client's by 16 B.
 * Passkeys (WebAuthn
 * JSON, base64url, ~1.3 kB) are an entry of their own, so apps without them
 * pay nothing.
 */
const ENTRIES = [
  { name: 'nanoauth/client', file: 'dist/client.js', budget: 3520 },
  { name: 'nanoauth/react', file: 'dist/react.js', budget: 3856 },
  { name: 'nanoauth/passkey', file: 'dist/passkey.js', budget: 1408 },
];

async function measure(file, external) {
  const result = await build({
    entryPoints: [path.join(root, file)],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
    external,
  });
  const code = result.outputFiles[0].contents;
  return { min: code.length, gz: gzipSync(code, { level: 9 }).length };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} kB`;

const rows = [];
let over = false;
for (const entry of ENTRIES) {
  const own = await measure(entry.file, ['react', 'react/*', 'nanostores']);
  const all = await measure(entry.file, ['react', 'react/*']);
  rows.push(`| \`${entry.name}\` | ${kb(own.min)} | ${kb(own.gz)} | ${kb(all.gz)} |`);
  if (all.gz > entry.budget) {
    over = true;
    console.error(`${entry.name}: ${all.gz} B min+gz is over its budget of ${entry.budget} B`);
  }
}
const table = [
  '| entry | minified | min+gzip | min+gzip with nanostores |',
  '|---|---|---|---|',
  ...rows,
].join('\n');
console.log(table);

const readmePath = path.join(root, 'README.md');
const START = '<!-- size:start -->';
const END = '<!-- size:end -->';
let readme = '';
try {
  readme = readFileSync(readmePath, 'utf8');
} catch {
  // No README yet.
}
const at = readme.indexOf(START);
const end = readme.indexOf(END);
if (at >= 0 && end > at) {
  const current = readme.slice(at + START.length, end).trim();
  if (process.argv.includes('--update-readme')) {
    writeFileSync(readmePath, `${readme.slice(0, at + START.length)}\n${table}\n${readme.slice(end)}`);
    console.log('README.md: size table updated');
  } else if (current !== table) {
    console.warn('warning: the size table in README.md differs from this measurement (run `npm run size -- --update-readme`)');
  }
}
if (over) process.exit(1);
