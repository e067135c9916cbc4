// npm run sandbox: the provider emulators on their own (PORT, default 4010), for a
// Switchboard started against an external database, and for the benchmarks. Signs with the
// install's sandbox keys (SANDBOX_KEYS_FILE, default DATA_DIR/sandbox-keys.json, made once).
import { startSandboxServer } from "@/lib/sandbox/server";
import { sandboxKeys, sandboxKeysFile } from "@/lib/sandbox/keys";

process.env.SANDBOX_KEYS_FILE ??= sandboxKeysFile(process.env.DATA_DIR ?? ".data");
sandboxKeys(); // made (or read) before the first request

const sandbox = await startSandboxServer({ port: Number(process.env.PORT ?? 4010), host: process.env.HOST ?? "127.0.0.1" });
console.log(`provider sandboxes at ${sandbox.url}`);
process.send?.({ ready: true, url: sandbox.url });
const stop = async () => {
  await sandbox.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
