// Per test file: its own database (a clone of the migrated template), its own sandbox
// server, a test key ring and session secret. Everything is torn down after the file.
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, inject } from "vitest";
import pg from "pg";
import { ensureDatabase } from "@/lib/runtime/embedded-pg";
import { startSandboxServer } from "@/lib/sandbox/server";
import { generateSandboxKeys, useSandboxKeys } from "@/lib/sandbox/keys";

const admin = inject("pgAdminUrl");
const name = `t_${process.pid}_${randomBytes(4).toString("hex")}`;
await ensureDatabase(admin, name, "sb_template");
const url = new URL(admin);
url.pathname = `/${name}`;
process.env.DATABASE_URL = url.toString();
process.env.NEXTAUTH_SECRET = "test-session-secret-0123456789abcdef";
process.env.NEXTAUTH_URL = "http://localhost:3000";
process.env.SWITCHBOARD_ENCRYPTION_KEYS = `test1:${Buffer.alloc(32, 7).toString("base64")}`;
process.env.HTTP_TIMEOUT_MS = "3000";
// the suite's own local servers (scripted servers, webhook receivers, dead ports) are on
// loopback; tests/integration/ssrf.test.ts narrows this to prove the rules (run with
// ALLOWED_PRIVATE_HOSTS= set empty to see what works with the sandbox alone)
process.env.ALLOWED_PRIVATE_HOSTS ??= "127.0.0.1,localhost,::1";
// tests that start workers evaluate alerts themselves (evaluateAlerts), not on a timer that
// would queue notices in the middle of other tests' message counts
process.env.ALERTS_EVALUATE_SECONDS = "3600";

// the sandboxes sign with keys made for this file alone (nothing fixed in the repository)
delete process.env.SANDBOX_KEYS_FILE;
useSandboxKeys(generateSandboxKeys());
const sandbox = await startSandboxServer();
process.env.SANDBOX_URL = sandbox.url;
(globalThis as { __sandbox?: typeof sandbox }).__sandbox = sandbox;

// every area's bindings and event subscribers, as the web process and the workers load them
// (after the environment above: a module may read it when it loads)
await import("@/lib/wiring");

// a fault a test injected and did not use up must not leak into the next test
afterEach(async () => {
  await fetch(`${sandbox.url}/__control/faults`, { method: "DELETE" });
});

afterAll(async () => {
  const { stopProducer } = await import("@/lib/jobs/boss");
  const { disconnectDb } = await import("@/lib/db");
  const { closePgPool } = await import("@/lib/pg");
  await stopProducer();
  await disconnectDb();
  await closePgPool();
  await sandbox.close();
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`drop database if exists "${name}" with (force)`);
  await c.end();
});
