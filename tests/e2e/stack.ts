// The whole product for the browser tests, as `npm start` runs it but in a throwaway
// directory: embedded PostgreSQL, migrations, three users (admin, dispatcher, viewer), the
// sandbox server, the workers and the built web app (scripts/server.ts). It writes what the
// tests need to tests/.tmp/e2e-state.json and listens on a control port for the key-rotation
// test: rotate the secrets, restart the web app with another key ring.
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { startEmbeddedPostgres, ensureDatabase, freePort } from "@/lib/runtime/embedded-pg";
import { migrate } from "@/lib/runtime/migrate";
import { formatKeyRing, generateKey, parseKeyRing } from "@/lib/vault";

const root = process.cwd();
const tmp = path.resolve("tests/.tmp");
mkdirSync(tmp, { recursive: true });
const dir = mkdtempSync(path.join(tmp, "e2e-"));
chmodSync(dir, 0o755); // the postgres user must be able to reach pg/ inside it
const db = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), password: "e2e", persistent: false });
await ensureDatabase(db.url(), "switchboard");
const databaseUrl = db.url("switchboard");
await migrate(databaseUrl);

const k1 = generateKey();
let keyRing = formatKeyRing([k1]);
const sessionSecret = randomBytes(32).toString("base64url");
const sandboxPort = await freePort();
const webPort = await freePort();
const baseURL = `http://127.0.0.1:${webPort}`;

Object.assign(process.env, {
  DATABASE_URL: databaseUrl,
  SWITCHBOARD_ENCRYPTION_KEYS: keyRing,
  NEXTAUTH_SECRET: sessionSecret,
  NEXTAUTH_URL: baseURL,
  SANDBOX_URL: `http://127.0.0.1:${sandboxPort}`,
  DATA_DIR: dir,
  LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? "warn",
  WORKER_POLL_SECONDS: "0.5",
  // alerts evaluated often enough to watch one open in a browser test
  ALERTS_EVALUATE_SECONDS: "2",
  // the inbox's retries, fast enough to watch an event fail in a browser test
  WEBHOOK_RETRY_BASE_SECONDS: "0.3",
  WEBHOOK_RETRY_MAX_SECONDS: "1",
  WEBHOOK_MAX_RETRIES: "2",
  // the outbox, fast enough to watch a message go queued → sent → delivered in a browser test
  // (SMS.ru reports delivery only when asked: poll every second)
  MESSAGE_STATUS_POLL_SECONDS: "1",
  MESSAGE_DISPATCH_MS: "100",
  // the map: tiles from a port nothing listens on (the page must work without them), no simulator
  MAP_TILE_URL: "http://127.0.0.1:9/{z}/{x}/{y}.png",
  GPS_SIMULATOR: "false",
  // exports: more than this many rows run as a job (the exports test watches one's progress)
  EXPORT_INLINE_ROWS: "1000",
});

const { newBoss, ensureQueues } = await import("@/lib/jobs/boss");
const boss = newBoss("producer");
await boss.start();
await ensureQueues(boss);
await boss.stop({ graceful: false, wait: true });

const { db: prisma } = await import("@/lib/db");
const { hashPassword, generatePassword } = await import("@/lib/auth/password");
const users: Record<string, { email: string; password: string; name: string }> = {};
for (const role of ["admin", "dispatcher", "viewer"] as const) {
  const password = generatePassword();
  const email = `${role}@e2e.test`;
  const name = { admin: "Alice Admin", dispatcher: "Dan Dispatcher", viewer: "Vera Viewer" }[role];
  await prisma.user.create({ data: { email, name, role, passwordHash: await hashPassword(password) } });
  users[role] = { email, password, name };
}

// two drivers for the map tests (their devices post through an API key the tests create)
const drivers: { id: string; name: string }[] = [];
for (const [name, phone, plateNumber] of [
  ["Olga Driver", "+79990000001", "E2E001"],
  ["Pavel Driver", "+79990000002", "E2E002"],
] as const) {
  const vehicle = await prisma.vehicle.create({ data: { plateNumber, make: "Skoda", model: "Octavia" } });
  const d = await prisma.driver.create({ data: { name, phone, status: "active", vehicleId: vehicle.id } });
  drivers.push({ id: d.id, name: d.name });
}
// a company for the 1C sync test (there is no company API: companies come from the CRM)
await prisma.company.create({ data: { name: "ООО «Ромашка»", taxId: "7707083893" } });

// 60,000 orders: a large export runs long enough to watch its progress bar
await prisma.$executeRawUnsafe(
  `insert into applications (number, status, pickup_address, dropoff_address, pickup_at, passengers, price_minor, currency, updated_at)
   select 'E2E-' || g, 'completed', 'Sheremetyevo, terminal ' || (g % 5), 'Red Square ' || g, now() - g * interval '1 minute', 1 + g % 4, 250000 + g, 'RUB', now()
     from generate_series(1, 60000) g`,
);

const { startSandboxServer } = await import("@/lib/sandbox/server");
const sandbox = await startSandboxServer({ port: sandboxPort });

let web: ChildProcess | undefined;
async function startWeb() {
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "server.ts")], {
    cwd: root,
    // workers run inside the web process here, so a restart with a new key ring restarts them too
    env: { ...process.env, SWITCHBOARD_ENCRYPTION_KEYS: keyRing, PORT: String(webPort), HOST: "127.0.0.1", NODE_ENV: "production", SWITCHBOARD_PROCESS: "web", WORKERS_IN_WEB: "true" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  await new Promise<void>((resolve, reject) => {
    proc.once("message", () => resolve());
    proc.once("exit", (code) => reject(new Error(`web exited with ${code}`)));
  });
  web = proc;
}
async function stopWeb() {
  if (!web || web.exitCode !== null) return;
  const done = new Promise((r) => web!.once("exit", r));
  web.kill("SIGTERM");
  await done;
}
await startWeb();

// control API for the tests
const { rotateAll } = await import("@/lib/vault-rotate");
const control = http.createServer(async (req, res) => {
  try {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
    if (req.url === "/new-key") {
      const k = generateKey();
      return res.end(JSON.stringify({ key: formatKeyRing([k]) }));
    }
    if (req.url === "/rotate") {
      // like an operator: new key first in the ring, keys:rotate, restart with the new ring only
      const report = await rotateAll(databaseUrl, parseKeyRing(body.ring));
      return res.end(JSON.stringify(report));
    }
    if (req.url === "/delete-api-keys") {
      // a test's own keys, gone without a trace (a revoked key is still listed on the API keys page)
      const r = await prisma.apiKey.deleteMany({ where: { id: { in: (body.ids ?? []) as string[] } } });
      return res.end(JSON.stringify({ deleted: r.count }));
    }
    if (req.url === "/restart-web") {
      await stopWeb();
      keyRing = body.ring ?? keyRing;
      await startWeb();
      return res.end(JSON.stringify({ ok: true }));
    }
    res.statusCode = 404;
    res.end("{}");
  } catch (e) {
    res.statusCode = 500;
    res.end(JSON.stringify({ error: (e as Error).message }));
  }
});
const controlPort = await freePort();
await new Promise<void>((r) => control.listen(controlPort, "127.0.0.1", () => r()));

writeFileSync(
  path.join(tmp, "e2e-state.json"),
  JSON.stringify({ baseURL, sandboxUrl: sandbox.url, controlUrl: `http://127.0.0.1:${controlPort}`, users, keyRing, drivers }, null, 2),
);
process.send?.({ ready: true });

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await stopWeb().catch(() => {});
  await sandbox.close().catch(() => {});
  control.close();
  const { disconnectDb } = await import("@/lib/db");
  await disconnectDb();
  await db.stop().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
process.on("disconnect", shutdown);
