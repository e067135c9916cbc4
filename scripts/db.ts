// The embedded PostgreSQL of `npm start`, as its own process so it is stopped last.
// Reports { url } to the parent over IPC; stops when told to or when the parent is gone.
import { writeFileSync, rmSync } from "node:fs";
import path from "node:path";
import { startEmbeddedPostgres, ensureDatabase } from "@/lib/runtime/embedded-pg";
import { runtimeFile } from "@/lib/runtime/local-db";

const dir = process.env.DB_DIR!;
const password = process.env.DB_PASSWORD!;
const port = process.env.DB_PORT ? Number(process.env.DB_PORT) : undefined;

const db = await startEmbeddedPostgres({ dir, password, port });
let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  rmSync(runtime, { force: true });
  await db.stop().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.on("disconnect", stop);
await ensureDatabase(db.url("postgres"), "switchboard");
// command-line tools (keys:rotate, admin:reset-password) find the running database here
const runtime = runtimeFile(path.dirname(dir));
writeFileSync(runtime, JSON.stringify({ url: db.url("switchboard"), pid: process.pid }), { mode: 0o600 });
process.send?.({ url: db.url("switchboard") });
