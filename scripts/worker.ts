// `npm run worker`: the job workers on their own (several may run against one database).
import { startWorkers } from "@/lib/wiring/worker";
import { disconnectDb } from "@/lib/db";
import { env } from "@/lib/env";

process.env.SWITCHBOARD_PROCESS ??= "worker";
env(); // fail fast on bad configuration
const workers = await startWorkers();
let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await workers.stop();
  await disconnectDb();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.on("disconnect", stop);
process.send?.({ ready: true });
