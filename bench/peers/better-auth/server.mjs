// better-auth with email and password on node:http, for bench/compare.sh.
//
//   node server.mjs --port 3402 --db /tmp/better-auth.db [--sqlite-defaults]
//
// SQLite is set to WAL and synchronous=NORMAL, as NanoAuth's SQLite adapter
// does, so that both sides pay the same for durability; --sqlite-defaults
// keeps better-sqlite3's own (journal_mode=delete, synchronous=FULL).
// Rate limiting and telemetry are off; the schema is migrated offline on
// start. Prints one "ready" line with the SQLite settings in effect.
import http from "node:http";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { toNodeHandler } from "better-auth/node";
import { getMigrations } from "better-auth/db/migration";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "3402" },
    db: { type: "string", default: "better-auth.db" },
    "sqlite-defaults": { type: "boolean", default: false },
  },
});
const port = Number(values.port);
const baseURL = `http://127.0.0.1:${port}`;

const db = new Database(values.db);
if (!values["sqlite-defaults"]) {
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
}
const journal = db.pragma("journal_mode", { simple: true });
const synchronous = ["OFF", "NORMAL", "FULL", "EXTRA"][db.pragma("synchronous", { simple: true })];

const options = {
  baseURL,
  secret: "benchmark secret, thirty-two bytes or more",
  database: db,
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
};
const { runMigrations } = await getMigrations(options);
await runMigrations();
const auth = betterAuth(options);

http.createServer(toNodeHandler(auth)).listen(port, "127.0.0.1", () => {
  console.log(
    `better-auth ready on ${baseURL} (SQLite journal_mode=${journal}, synchronous=${synchronous})`,
  );
});
