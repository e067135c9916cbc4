// The orchestrator behind `npm start`: database (embedded PostgreSQL under ./.data unless
// DATABASE_URL is set), migrations, first admin, demo data, the sandbox server, the job
// workers and the web app. Ctrl-C stops them in order: web and workers first, the database
// last. Children run in their own process groups (so the terminal's Ctrl-C does not hit the
// database before the workers are done) and exit if this process disappears.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { ensureLocalSecrets } from "@/lib/local-secrets";
import { ensureKeyringFile } from "@/lib/vault";
import { ensureSandboxKeys, sandboxKeysFile } from "@/lib/sandbox/keys";

const root = process.cwd();
const dev = process.argv.includes("--dev");
const dataDir = path.resolve(process.env.DATA_DIR ?? ".data");
const port = Number(process.env.PORT ?? 3000);
const sandboxPort = Number(process.env.SANDBOX_PORT ?? 4010);
const children: { name: string; proc: ChildProcess }[] = [];
let stopping = false;

const say = (msg: string) => console.log(`\x1b[36m[switchboard]\x1b[0m ${msg}`);

function startChild(name: string, script: string, env: NodeJS.ProcessEnv, args: string[] = []) {
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", script), ...args], {
    cwd: root,
    env,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    detached: true,
  });
  children.push({ name, proc });
  proc.on("exit", (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${signal ?? code}); stopping everything`);
      void shutdown(1);
    }
  });
  return proc;
}

function waitMessage<T>(proc: ChildProcess, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("timed out waiting for a child process")), timeoutMs);
    proc.once("message", (m) => {
      clearTimeout(t);
      resolve(m as T);
    });
    proc.once("exit", (code) => {
      clearTimeout(t);
      reject(new Error(`exited with ${code} before it was ready`));
    });
  });
}

async function stopChild(c: { name: string; proc: ChildProcess }, timeoutMs = 15_000) {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  const done = new Promise<void>((r) => c.proc.once("exit", () => r()));
  try {
    process.kill(-c.proc.pid!, "SIGTERM");
  } catch {
    /* already gone */
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-c.proc.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  }, timeoutMs);
  await done;
  clearTimeout(timer);
}

let closeSandbox: (() => Promise<void>) | undefined;

const SIMULATOR_KEY_NAME = "GPS simulator (demo)";
/** A fresh fleet key for the demo's GPS simulator; the previous start's key is revoked. */
async function simulatorKey(): Promise<string> {
  const { db } = await import("@/lib/db");
  const { generateApiKey } = await import("@/lib/auth/api-keys");
  await db.apiKey.updateMany({ where: { name: SIMULATOR_KEY_NAME, revokedAt: null }, data: { revokedAt: new Date() } });
  const { key, prefix, hash } = generateApiKey();
  await db.apiKey.create({ data: { name: SIMULATOR_KEY_NAME, prefix, keyHash: hash, scopes: ["tracking:write"], rateLimitPerMinute: 600 } });
  return key;
}

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  say("stopping…");
  const order = ["web", "worker"];
  await Promise.all(children.filter((c) => order.includes(c.name)).map((c) => stopChild(c)));
  await closeSandbox?.().catch(() => {});
  for (const c of children.filter((c) => !order.includes(c.name))) await stopChild(c, 30_000);
  say("stopped");
  process.exit(code);
}

process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

async function main() {
  mkdirSync(dataDir, { recursive: true });
  const local = ensureLocalSecrets(dataDir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? local.nextauthSecret,
    NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
    SANDBOX_URL: process.env.SANDBOX_URL ?? `http://127.0.0.1:${sandboxPort}`,
    // the sandboxes' signing keys, made on first start: the sandbox signs with them, the demo
    // seed trusts their public halves (lib/sandbox/keys.ts)
    SANDBOX_KEYS_FILE: process.env.SANDBOX_KEYS_FILE ?? sandboxKeysFile(dataDir),
    PORT: String(port),
    NEXT_TELEMETRY_DISABLED: "1",
  };
  if (!env.SWITCHBOARD_ENCRYPTION_KEYS) ensureKeyringFile(path.join(dataDir, "keyring.json"));
  ensureSandboxKeys(env.SANDBOX_KEYS_FILE!);

  if (!env.DATABASE_URL) {
    const db = startChild("database", "db.ts", { ...env, DB_PASSWORD: local.dbPassword, DB_DIR: path.join(dataDir, "pg") });
    const ready = await waitMessage<{ url: string }>(db, 120_000);
    env.DATABASE_URL = ready.url;
    say(`embedded PostgreSQL running (data in ${path.relative(root, path.join(dataDir, "pg"))})`);
  } else {
    say("using the PostgreSQL server in DATABASE_URL");
  }
  Object.assign(process.env, env);

  // everything below talks to the database
  const { migrate } = await import("@/lib/runtime/migrate");
  const applied = await migrate(env.DATABASE_URL!, { log: (m) => say(m) });
  if (!applied.length) say("database schema is up to date");
  const { newBoss, ensureQueues } = await import("@/lib/jobs/boss");
  const boss = newBoss("producer");
  await boss.start(); // installs or upgrades pg-boss' own schema
  await ensureQueues(boss);
  await boss.stop({ graceful: false, wait: true });

  const { ensureFirstAdmin } = await import("@/lib/runtime/bootstrap");
  const admin = await ensureFirstAdmin();

  const { startSandboxServer } = await import("@/lib/sandbox/server");
  const sandbox = await startSandboxServer({ port: sandboxPort });
  closeSandbox = sandbox.close;
  say(`provider sandboxes at ${sandbox.url}`);

  let simulator: { drivers: string[]; key: string } | undefined;
  if (process.env.SEED_DEMO !== "false") {
    const { seedDemoData, seedDemoIntegrations } = await import("@/lib/runtime/seed");
    if (await seedDemoData()) say("loaded demo data (companies, contacts, drivers, vehicles, orders)");
    const ids = await seedDemoIntegrations();
    if (ids.length) {
      const { testIntegration } = await import("@/lib/integrations/service");
      for (const id of ids) {
        const r = await testIntegration(id, { actor: { type: "system", label: "demo" } });
        say(`demo integration test: ${r.ok ? "ok" : "FAILED"} — ${r.message}`);
      }
      const { seedDemoMessages, seedDemoPayments } = await import("@/lib/runtime/seed");
      const paid = await seedDemoPayments(sandbox.url).catch((e) => (say(`demo payments skipped: ${(e as Error).message}`), 0));
      if (paid) say(`created ${paid} demo payment links (two paid in the Stripe sandbox)`);
      const sent = await seedDemoMessages();
      if (sent) say(`queued ${sent} demo notifications (see Messages and Sandbox inbox)`);
    }
    const { seedDemoTracks } = await import("@/lib/runtime/seed");
    const tracks = await seedDemoTracks();
    if (tracks.positions) say(`recorded ${tracks.positions} demo GPS positions (the last three hours of today: see Map → Replay)`);
    if (tracks.live.length && process.env.GPS_SIMULATOR !== "false") simulator = { drivers: tracks.live, key: await simulatorKey() };
  }
  {
    // installs seeded when the demo SendGrid key pair was in the repository stop trusting it
    const { distrustPublishedSandboxKeys } = await import("@/lib/runtime/seed");
    const replaced = await distrustPublishedSandboxKeys();
    if (replaced) say(`${replaced} integration(s) no longer trust a sandbox key that was published in the repository (see the audit trail)`);
    const { reconnectSandboxes } = await import("@/lib/integrations/service");
    await reconnectSandboxes();
  }
  const { disconnectDb } = await import("@/lib/db");
  await disconnectDb();

  startChild("worker", "worker.ts", { ...env, SWITCHBOARD_PROCESS: "worker" });
  const web = startChild("web", "server.ts", { ...env, SWITCHBOARD_PROCESS: "web" }, dev ? ["--dev"] : []);
  await waitMessage(web, 180_000);
  if (simulator) {
    const sim = startChild("gps-simulator", "simulator.ts", { ...env, SIM_BASE_URL: env.NEXTAUTH_URL, SIM_API_KEY: simulator.key, SIM_DRIVER_IDS: simulator.drivers.join(",") });
    await waitMessage(sim, 60_000);
    say(`GPS simulator moving ${simulator.drivers.length} demo drivers (GPS_SIMULATOR=false turns it off)`);
  }

  const url = env.NEXTAUTH_URL!;
  const line = "─".repeat(64);
  console.log(`\n${line}\n  Switchboard is running: ${url}`);
  if (admin) {
    console.log(`\n  First admin account (shown once, stored only as a hash):`);
    console.log(`    email:    ${admin.email}`);
    console.log(`    password: ${admin.password}`);
    console.log(`  Lost it? npm run admin:reset-password -- ${admin.email}`);
    if (admin.hint) console.log(`\n  Hint: ${admin.hint}`);
  } else {
    console.log(`  Sign in with your admin account (npm run admin:reset-password -- <email> if lost).`);
  }
  console.log(`\n  Sandboxes: ${sandbox.url}  ·  Ctrl-C stops everything\n${line}\n`);
}

main().catch((e) => {
  console.error(`\n✖ ${(e as Error).message}`);
  void shutdown(1);
});
