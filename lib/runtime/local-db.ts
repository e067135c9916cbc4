// For command-line tools run beside `npm start`: the database URL of the running embedded
// PostgreSQL (written by scripts/db.ts), or a temporarily started one when it is not running.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { ensureLocalSecrets } from "@/lib/local-secrets";
import { startEmbeddedPostgres } from "@/lib/runtime/embedded-pg";

export function runtimeFile(dataDir: string) {
  return path.join(dataDir, "runtime.json");
}

async function reachable(url: string) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** DATABASE_URL, else the running embedded database, else start it for the duration of `fn`. */
export async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  if (process.env.DATABASE_URL) return fn(process.env.DATABASE_URL);
  const dataDir = path.resolve(process.env.DATA_DIR ?? ".data");
  const rt = runtimeFile(dataDir);
  if (existsSync(rt)) {
    const { url } = JSON.parse(readFileSync(rt, "utf8")) as { url: string };
    if (await reachable(url)) return fn(url);
  }
  if (!existsSync(path.join(dataDir, "pg", "PG_VERSION"))) {
    throw new Error("No database: set DATABASE_URL, or run `npm start` once to create the embedded one");
  }
  const secrets = ensureLocalSecrets(dataDir);
  const db = await startEmbeddedPostgres({ dir: path.join(dataDir, "pg"), password: secrets.dbPassword });
  try {
    return await fn(db.url("switchboard"));
  } finally {
    await db.stop();
  }
}
