// Bulk SMS through the whole pipeline (POST-equivalent sendBulk → rows → dispatcher → pg-boss
// jobs in a separate worker process → the SMS.ru client → the sandbox, then delivery by status
// polling), side by side with the floor: the sandbox's own raw request rate for the same
// number of sends with as many requests in flight as the pipeline allows
// (MESSAGE_PARALLEL). The floor runs before and after the pipeline
// and their mean is the reference. The sandbox counts every delivery per recipient: none may
// be missing or doubled.
import { execFileSync, type ChildProcess } from "node:child_process";
import { start } from "./lib";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { freePort } from "@/lib/runtime/embedded-pg";

const root = path.resolve(import.meta.dirname, "..");
const tsx = path.join(root, "node_modules/tsx/dist/cli.mjs");
const COUNT = Number(process.env.BENCH_SMS_COUNT ?? 10_000);
const TARGET = 0.7;


type Raw = { sent: number; errors: number; seconds: number; rate: number };

export async function benchMessaging() {
  const sandboxPort = await freePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  process.env.SANDBOX_URL = sandboxUrl;
  const e = { MESSAGE_PARALLEL: process.env.MESSAGE_PARALLEL ?? "64" };
  const inFlight = Number(e.MESSAGE_PARALLEL);
  const sandbox = await start("scripts/sandbox.ts", { PORT: String(sandboxPort), LOG_LEVEL: "error" });
  const control = (p: string, body?: unknown) =>
    fetch(`${sandboxUrl}${p}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const apiId = randomUUID().toUpperCase();
  const fund = () => control("/smsru/__balance", { api_id: apiId, balance: 1e9 });
  const counts = async () => (await (await control("/__control/delivery-counts?provider=smsru")).json()) as { total: number; recipients: number; duplicatedRecipients: number };

  const raw = (prefix: string): Raw => {
    const out = execFileSync(process.execPath, [tsx, path.join(root, "bench/sms-load.ts"), sandboxUrl, apiId, String(COUNT), String(inFlight), prefix], { cwd: root, encoding: "utf8" });
    return JSON.parse(out.trim().split("\n").at(-1)!);
  };

  let worker: ChildProcess | undefined;
  try {
    await fund();
    raw("+7900"); // warm-up (JIT, sockets)
    const before = raw("+7901");

    const { createIntegration } = await import("@/lib/integrations/service");
    const { sendBulk } = await import("@/lib/messaging/service");
    const { db } = await import("@/lib/db");
    const { pgPool } = await import("@/lib/pg");
    const system = { actor: { type: "system" as const, label: "bench" } };
    await createIntegration({ provider: "smsru", name: "Bench SMS", code: "bench-sms", mode: "sandbox", credentials: { apiId }, config: { ratePerSecond: 0 } }, system);
    await control("/__control/reset", {});
    await fund();
    worker = await start("scripts/worker.ts", { ...e, LOG_LEVEL: "error", WORKER_POLL_SECONDS: "0.5", MESSAGE_DISPATCH_MS: "100", MESSAGE_STATUS_POLL_SECONDS: "1", SWITCHBOARD_PROCESS: "worker" });

    const recipients = Array.from({ length: COUNT }, (_, i) => `+7902${String(i).padStart(7, "0")}`);
    const t0 = performance.now();
    const batch = await sendBulk("sms", { name: "bench", recipients, text: "Your driver arrives at 14:05" }, system);
    const queuedIn = (performance.now() - t0) / 1000;
    let sentAt = 0;
    let deliveredAt = 0;
    const deadline = Date.now() + 10 * 60_000;
    while (Date.now() < deadline) {
      const r = await pgPool().query<{ status: string; n: string }>("select status, count(*) n from messages where batch_id = $1 group by status", [batch.id]);
      const by = Object.fromEntries(r.rows.map((x) => [x.status, Number(x.n)]));
      const t = (performance.now() - t0) / 1000;
      if (!sentAt && !by.queued) sentAt = t;
      if (sentAt && (by.delivered ?? 0) + (by.failed ?? 0) + (by.undelivered ?? 0) === COUNT) {
        deliveredAt = t;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const final = await db.message.groupBy({ by: ["status"], where: { batchId: batch.id }, _count: { _all: true } });
    const delivered = await counts();
    worker.kill("SIGTERM");
    await new Promise((r) => worker!.once("exit", r));
    worker = undefined;

    await fund();
    const after = raw("+7903");
    const floorRate = (before.rate + after.rate) / 2;
    const ours = sentAt ? COUNT / sentAt : 0;
    const ratio = ours / floorRate;
    const lostOrDoubled = delivered.total !== COUNT || delivered.recipients !== COUNT || delivered.duplicatedRecipients !== 0;
    console.log(`\nBulk SMS: ${COUNT.toLocaleString()} messages through the outbox vs. the sandbox's raw rate (${inFlight} in flight both sides)`);
    console.log(`  floor (raw sends to the sandbox): ${before.rate.toFixed(0)} /s before, ${after.rate.toFixed(0)} /s after → ${floorRate.toFixed(0)} /s`);
    console.log(`  pipeline: stored in ${queuedIn.toFixed(2)} s, all sent in ${sentAt.toFixed(2)} s (${ours.toFixed(0)} /s), all delivered in ${deliveredAt ? deliveredAt.toFixed(2) + " s" : "—"} (status polling every 1 s)`);
    console.log(`  final statuses: ${final.map((f) => `${f.status} ${f._count._all}`).join(", ")}`);
    console.log(`  sandbox received ${delivered.total} sends for ${delivered.recipients} recipients, ${delivered.duplicatedRecipients} recipients got more than one`);
    const ok = ratio >= TARGET && !lostOrDoubled && !!deliveredAt;
    console.log(`  ratio ${ratio.toFixed(2)} (target ≥ ${TARGET}) → ${ok ? "ok" : "MISSED"}`);
    return { ok, ratio };
  } finally {
    worker?.kill("SIGKILL");
    sandbox.kill("SIGTERM");
  }
}
