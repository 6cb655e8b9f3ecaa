// A better-auth database with many users, for bench/import/run.sh: the
// tables made by better-auth's own migrations (pinned install in
// bench/peers/better-auth), then N users inserted directly, each with a
// `credential` account holding ONE precomputed better-auth hash (computing
// 100k scrypt hashes would take over two hours) and every tenth with a
// GitHub account too. The rows are what better-auth writes (ids, ISO dates).
//
//   node bench/import/make-better-auth-users.mjs --users 100000 --db /tmp/ba-100k.db
import { createRequire } from "node:module";
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { randomBytes } from "node:crypto";

const { values } = parseArgs({
  options: {
    users: { type: "string", default: "100000" },
    db: { type: "string", default: "better-auth-users.db" },
  },
});
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../peers/better-auth/package.json"));
const load = async (name) => import(pathToFileURL(require.resolve(name)).href);
const { default: Database } = await load("better-sqlite3");
const { getMigrations } = await load("better-auth/db/migration");
const { hashPassword } = await load("better-auth/crypto");

for (const suffix of ["", "-wal", "-shm", "-journal"]) {
  if (existsSync(values.db + suffix)) rmSync(values.db + suffix);
}
const db = new Database(values.db);
const options = { database: db, emailAndPassword: { enabled: true }, telemetry: { enabled: false } };
await (await getMigrations(options)).runMigrations();

const hash = await hashPassword("correct horse battery staple");
const id = () => randomBytes(24).toString("base64url").slice(0, 32);
const insertUser = db.prepare(
  'INSERT INTO "user" (id, name, email, emailVerified, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?)',
);
const insertAccount = db.prepare(
  'INSERT INTO "account" (id, accountId, providerId, userId, password, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?)',
);
const users = Number(values.users);
const now = new Date().toISOString();
db.transaction(() => {
  for (let i = 0; i < users; i++) {
    const userId = id();
    insertUser.run(userId, `User ${i}`, `user${i}@example.com`, i % 2, now, now);
    insertAccount.run(id(), userId, "credential", userId, hash, now, now);
    if (i % 10 === 0) insertAccount.run(id(), String(1_000_000 + i), "github", userId, null, now, now);
  }
})();
db.close();
console.log(`wrote ${users} better-auth users to ${values.db}`);
