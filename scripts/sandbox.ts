// npm run sandbox: the provider emulators on their own (PORT, default 4010), for a
// Switchboard started against an external database, and for the benchmarks.
import { startSandboxServer } from "@/lib/sandbox/server";

const sandbox = await startSandboxServer({ port: Number(process.env.PORT ?? 4010), host: process.env.HOST ?? "127.0.0.1" });
console.log(`provider sandboxes at ${sandbox.url}`);
process.send?.({ ready: true, url: sandbox.url });
const stop = async () => {
  await sandbox.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
