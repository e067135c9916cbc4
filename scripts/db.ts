// The embedded PostgreSQL of `npm start`, as its own process so it is stopped last.
// Reports { url } to the parent over IPC; stops when told to or when the parent is gone.
import { startEmbeddedPostgres, ensureDatabase } from "@/lib/runtime/embedded-pg";

const dir = process.env.DB_DIR!;
const password = process.env.DB_PASSWORD!;
const port = process.env.DB_PORT ? Number(process.env.DB_PORT) : undefined;

const db = await startEmbeddedPostgres({ dir, password, port });
let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await db.stop().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.on("disconnect", stop);
await ensureDatabase(db.url("postgres"), "switchboard");
process.send?.({ url: db.url("switchboard") });
