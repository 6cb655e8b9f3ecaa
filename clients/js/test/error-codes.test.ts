// `AuthErrorCode` lists every code the server can answer: this reads the
// Rust sources the way a person would check it and compares. Codes come
// from two places there:
// - `fn code(&self) -> &'static str` of the error enums (`Self::X => "CODE"`);
// - `Error::plugin(status, CODE, message)` of the plugin crates, the code a
//   string literal or a `const NAME: &str = "CODE"` of the same file.
// Doc comments and test modules are left out (they hold example codes).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const js = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const crates = path.resolve(js, '..', '..', 'crates');
/**
 * Clients and test helpers answer nothing; the better-auth compatibility
 * plugin answers better-auth's codes to better-auth's own client.
 */
const SKIP = new Set(['nanoauth-client', 'nanoauth-testing', 'nanoauth-better-auth']);

function rustFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return rustFiles(full);
    return name.endsWith('.rs') ? [full] : [];
  });
}

/** The file without comments and without its `#[cfg(test)]` module. */
function code(file: string): string {
  const text = readFileSync(file, 'utf8');
  const tests = text.search(/#\[cfg\(test\)\]\s*mod /);
  return (tests >= 0 ? text.slice(0, tests) : text)
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n');
}

function serverCodes(): Map<string, string> {
  const found = new Map<string, string>();
  const dirs = readdirSync(crates).filter((name) => !SKIP.has(name) && statSync(path.join(crates, name, 'src')).isDirectory());
  for (const dir of dirs) {
    for (const file of rustFiles(path.join(crates, dir, 'src'))) {
      const text = code(file);
      const where = path.relative(crates, file);
      const consts = new Map([...text.matchAll(/const ([A-Z_]+): &str = "([A-Z][A-Z0-9_]+)";/g)].map((m) => [m[1]!, m[2]!]));
      // `fn code(&self) -> &'static str { match self { ... } }`, to the next `fn`.
      for (const body of text.matchAll(/fn code\(&self\) -> &'static str \{([\s\S]*?)\n    \}/g)) {
        for (const m of body[1]!.matchAll(/=> "([A-Z][A-Z0-9_]+)"/g)) found.set(m[1]!, where);
      }
      for (const m of text.matchAll(/Error::plugin\(\s*[^,]+,\s*("([A-Z][A-Z0-9_]+)"|([A-Z][A-Z0-9_]+))\s*,/g)) {
        const name = m[2] ?? consts.get(m[3]!);
        if (name) found.set(name, where);
      }
    }
  }
  return found;
}

/** The quoted codes of `export type AuthErrorCode = ... | (string & {});` in src/client.ts. */
function clientCodes(): Set<string> {
  const source = readFileSync(path.join(js, 'src', 'client.ts'), 'utf8');
  const union = /export type AuthErrorCode =([\s\S]*?)\| \(string & \{\}\);/.exec(source);
  if (!union) throw new Error('AuthErrorCode not found in src/client.ts');
  const body = union[1]!.split('\n').filter((line) => !/^\s*(\/\/|\/\*\*|\*)/.test(line)).join('\n');
  return new Set([...body.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]!));
}

describe('AuthErrorCode', () => {
  it('finds the codes of the core, the adapters and each plugin crate', () => {
    const codes = serverCodes();
    // One of each kind, so a change of the source layout fails here, not silently.
    expect(codes.get('INVALID_CREDENTIALS')).toBe('nanoauth/src/error.rs');
    expect(codes.get('DATABASE_UNAVAILABLE')).toBe('nanoauth/src/adapter.rs');
    expect(codes.get('ACCESS_DENIED')).toBe('nanoauth-oauth/src/error.rs');
    expect(codes.get('INVALID_PASSKEY')).toBe('nanoauth-passkey/src/refusal.rs');
    expect(codes.get('NO_PENDING_TWO_FACTOR')).toBe('nanoauth-two-factor/src/refusal.rs');
    expect(codes.get('TOO_MANY_API_KEYS')).toBe('nanoauth-api-key/src/api.rs');
    expect(codes.size).toBeGreaterThan(60);
  });

  it('lists every code the server can answer', () => {
    const listed = clientCodes();
    const missing = [...serverCodes()].filter(([name]) => !listed.has(name)).map(([name, where]) => `${name} (${where})`);
    expect(missing).toEqual([]);
  });
});
