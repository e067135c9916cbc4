// Payment creation through Switchboard's API (API key, Idempotency-Key, the payment row, the
// Stripe SDK through the logged HTTP path, the outcome written back) against the direct path:
// the Stripe SDK creating the same Checkout Session straight at the same sandbox, the same
// number in flight. Both run in their own load process, in alternating rounds; the verdict is
// the median of the rounds' overheads (direct rate / ours − 1). Target: under 25%.
import { execFileSync, type ChildProcess } from "node:child_process";
import { median, start } from "./lib";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { freePort } from "@/lib/runtime/embedded-pg";

const root = path.resolve(import.meta.dirname, "..");
const tsx = path.join(root, "node_modules/tsx/dist/cli.mjs");
const SECONDS = Number(process.env.BENCH_PAY_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_PAY_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_PAY_CONCURRENCY ?? 16);
const TARGET = 0.25;

type Load = { ok: number; errors: number; rate: number; p50: number; p99: number };


function load(mode: "ours" | "direct", target: string, secret: string, seconds: number): Load {
  const out = execFileSync(process.execPath, [tsx, path.join(root, "bench/pay-load.ts"), mode, target, secret, String(seconds), String(CONCURRENCY)], { cwd: root, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").at(-1)!);
}


export async function benchPayments() {
  const sandboxPort = await freePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  process.env.SANDBOX_URL = sandboxUrl;
  const sandbox = await start("scripts/sandbox.ts", { PORT: String(sandboxPort), LOG_LEVEL: "error" });
  let web: ChildProcess | undefined;
  try {
    const { createIntegration } = await import("@/lib/integrations/service");
    const { generateApiKey } = await import("@/lib/auth/api-keys");
    const { db } = await import("@/lib/db");
    const system = { actor: { type: "system" as const, label: "bench" } };
    const secretKey = `sk_test_${randomBytes(18).toString("hex")}`;
    await createIntegration(
      { provider: "stripe", name: "Bench Stripe", code: "bench-stripe", mode: "sandbox", credentials: { secretKey, webhookSecret: `whsec_${randomBytes(24).toString("base64")}` }, config: { currencies: ["USD"] } },
      system,
    );
    const { key, prefix, hash } = generateApiKey();
    await db.apiKey.create({ data: { name: "bench", prefix, keyHash: hash, scopes: ["payments:write"], rateLimitPerMinute: 10_000_000 } });
    const webPort = await freePort();
    web = await start("scripts/server.ts", { NODE_ENV: "production", PORT: String(webPort), WORKERS_IN_WEB: "false", LOG_LEVEL: "error", SWITCHBOARD_PROCESS: "web", SANDBOX_URL: sandboxUrl });
    const ours = `http://127.0.0.1:${webPort}`;

    load("direct", sandboxUrl, secretKey, 2); // warm-up
    load("ours", ours, key, 2);
    const rounds: { ours: Load; direct: Load; overhead: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const d = load("direct", sandboxUrl, secretKey, SECONDS);
      const o = load("ours", ours, key, SECONDS);
      rounds.push({ ours: o, direct: d, overhead: d.rate / o.rate - 1 });
    }
    const overhead = median(rounds.map((r) => r.overhead));
    const errors = rounds.reduce((a, r) => a + r.ours.errors + r.direct.errors, 0);
    const stored = await db.payment.count({ where: { status: "pending", providerCheckoutId: { not: null } } });
    const createdOurs = rounds.reduce((a, r) => a + r.ours.ok, 0);
    console.log(`\nPayment creation: Switchboard's API vs. the Stripe SDK straight at the sandbox (${CONCURRENCY} in flight, ${ROUNDS} rounds of ${SECONDS} s)`);
    for (const [i, r] of rounds.entries()) {
      console.log(
        `  round ${i + 1}: direct ${r.direct.rate.toFixed(0)}/s (p50 ${r.direct.p50.toFixed(1)} ms, p99 ${r.direct.p99.toFixed(1)} ms) · ours ${r.ours.rate.toFixed(0)}/s (p50 ${r.ours.p50.toFixed(1)} ms, p99 ${r.ours.p99.toFixed(1)} ms) · overhead ${(r.overhead * 100).toFixed(0)}%`,
      );
    }
    console.log(`  payments stored with their checkout session: ${stored} (created through the API, warm-up included: ≥ ${createdOurs}); errors: ${errors}`);
    const ok = overhead < TARGET && errors === 0 && stored >= createdOurs;
    console.log(`  overhead (median) ${(overhead * 100).toFixed(0)}% (target < ${TARGET * 100}%) → ${ok ? "ok" : "MISSED"}`);
    return { ok, overhead };
  } finally {
    web?.kill("SIGTERM");
    sandbox.kill("SIGTERM");
  }
}
