// Google Calendar sync of 10,000 events against the sandbox (its own process), through the same
// path production takes: an OAuth-connected integration, the sync job as a worker runs it
// (runSyncJob → lib/calendar/sync.ts → the googleapis client → the logged fetch), rows written
// to PostgreSQL. Measured side by side in one run:
//   - the initial full sync: API calls made (counted by the sandbox, and by our own logs)
//     against the minimum the API allows, ceil(10,000 / 2,500) = 4 events.list pages, and its
//     time against the floor: the bare client reading the same 4 pages and storing nothing;
//   - after 100 changes in Google (70 edits, 20 deletions, 10 new events): the incremental
//     sync's calls against the minimum (1) and the rows it touched, which must be exactly the
//     100 changed ones.
// Targets: calls ≤ minimum + 1 for both; rows touched = 100.
import { randomBytes } from "node:crypto";
import { freePort } from "@/lib/runtime/embedded-pg";
import { start } from "./lib";

const EVENTS = Number(process.env.BENCH_CALENDAR_EVENTS ?? 10_000);
const CHANGES = { edited: 70, deleted: 20, created: 10 };
const PAGE = 2500;

type Calls = { total: number; byMethod: Record<string, number> };

export async function benchCalendar() {
  const sandboxPort = await freePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  process.env.SANDBOX_URL = sandboxUrl;
  const { resetEnvCache } = await import("@/lib/env");
  resetEnvCache();
  const sandbox = await start("scripts/sandbox.ts", { PORT: String(sandboxPort), LOG_LEVEL: "error" });
  try {
    const { db } = await import("@/lib/db");
    // this process connects and runs the sync itself, as a worker does: it loads the wiring
    // (the calendar area's runner for Google's sync type is bound there)
    await import("@/lib/wiring");
    const { pgPool } = await import("@/lib/pg");
    const { createIntegration, buildContext } = await import("@/lib/integrations/service");
    const { startConnect, finishConnect } = await import("@/lib/oauth/flow");
    const { runSyncJob, requestSync } = await import("@/lib/jobs/sync");
    const { calendar } = await import("@googleapis/calendar");
    const system = { actor: { type: "system" as const, label: "bench" } };
    const account = `bench-${randomBytes(3).toString("hex")}@example.test`;
    const base = `${sandboxUrl}/google-calendar`;
    const control = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const r = await fetch(`${base}/__control${path}`, { method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
      if (!r.ok) throw new Error(`sandbox ${method} ${path}: ${r.status}`);
      return (r.status === 204 ? undefined : await r.json()) as T;
    };
    const cal = `/calendars/${encodeURIComponent(account)}`;
    const calls = () => control<Calls>("GET", `/calls?account=${encodeURIComponent(account)}`);
    const resetCalls = () => control("POST", "/calls/reset", { account });

    // ── a connected integration (hourly: no push channel), the calendar seeded ──
    const seeded = await control<{ created: number; ids: string[] }>("POST", `${cal}/seed`, { count: EVENTS, prefix: "Transfer" });
    const row = await createIntegration(
      {
        provider: "google-calendar",
        name: "Bench calendar",
        code: "bench-calendar",
        mode: "sandbox",
        credentials: { clientId: `bench-${randomBytes(4).toString("hex")}.apps.googleusercontent.com`, clientSecret: `GOCSPX-${randomBytes(12).toString("hex")}` },
        config: { frequency: "hourly" },
      },
      system,
    );
    const admin = await db.user.create({ data: { email: `bench-admin-${randomBytes(3).toString("hex")}@example.test`, name: "Bench admin", role: "admin" } });
    const who = { actor: { type: "user" as const, id: admin.id } };
    const consentUrl = await startConnect("google-calendar", row.id, admin.id, who);
    const consent = await (await fetch(consentUrl)).text();
    const requestId = /name="request_id" value="([^"]+)"/.exec(consent)?.[1];
    const action = /<form method="post" action="([^"]+)"/.exec(consent)?.[1];
    if (!requestId || !action) throw new Error("no consent form");
    const decided = await fetch(new URL(action, consentUrl), { method: "POST", body: new URLSearchParams({ request_id: requestId, decision: "allow", account }), redirect: "manual" });
    const back = new URL(decided.headers.get("location")!);
    const connected = await finishConnect("google-calendar", Object.fromEntries(back.searchParams), admin.id, who);
    if (!connected.ok) throw new Error(`connect failed: ${connected.message}`);

    const jobCalls = async (jobId: string) =>
      Number((await pgPool().query<{ n: number }>(`select count(*)::int as n from integration_logs where related_type = 'sync_job' and related_id = $1 and action = 'google-calendar.events.list'`, [jobId])).rows[0].n);
    const run = async () => {
      const queued = await db.syncJob.findFirst({ where: { integrationId: row.id, status: "queued" } });
      const job = queued ?? (await requestSync(row.id, { trigger: "manual", actor: system.actor }));
      const t0 = performance.now();
      await runSyncJob(job.id);
      const ms = performance.now() - t0;
      const done = await db.syncJob.findUniqueOrThrow({ where: { id: job.id } });
      if (done.status !== "completed") throw new Error(`sync ${done.status}: ${done.error}`);
      return { ms, job: done, details: done.details as { listCalls: number; rowsTouched: number; pulled: Record<string, number>; mode: string } };
    };

    // the floor: the bare generated client reading the same pages with plain fetch, storing nothing
    const ctx = buildContext(await db.integration.findUniqueOrThrow({ where: { id: row.id } }));
    const token = await ctx.accessToken();
    const api = calendar({ version: "v3" });
    const floor = async () => {
      const t0 = performance.now();
      let pageToken: string | undefined;
      let n = 0;
      do {
        const res = await api.events.list({ calendarId: account, maxResults: PAGE, ...(pageToken ? { pageToken } : {}) }, { rootUrl: `${base}/`, headers: { Authorization: `Bearer ${token}` }, retry: false });
        n += res.data.items?.length ?? 0;
        pageToken = res.data.nextPageToken ?? undefined;
      } while (pageToken);
      if (n !== EVENTS) throw new Error(`floor read ${n} events`);
      return performance.now() - t0;
    };
    await floor(); // warm-up (sockets, JIT)
    const floorBefore = await floor();

    // ── the initial full sync ──
    await resetCalls();
    const full = await run();
    const fullCalls = await calls();
    const floorAfter = await floor();
    const floorMs = (floorBefore + floorAfter) / 2;
    const stored = await db.calendarEvent.count({ where: { integrationId: row.id, deletedAt: null } });

    // ── 100 changes in Google ──
    const ids = seeded.ids;
    const pick = (i: number) => ids[Math.floor((i * ids.length) / (CHANGES.edited + CHANGES.deleted))];
    const changed = new Set<string>();
    for (let i = 0; i < CHANGES.edited; i++) {
      await control("PATCH", `${cal}/events/${pick(i)}`, { summary: `Transfer (moved ${i})`, location: "Vnukovo, terminal A" });
      changed.add(pick(i));
    }
    for (let i = CHANGES.edited; i < CHANGES.edited + CHANGES.deleted; i++) {
      await control("DELETE", `${cal}/events/${pick(i)}`);
      changed.add(pick(i));
    }
    for (let i = 0; i < CHANGES.created; i++) {
      const s = new Date(Date.UTC(2031, 0, 1 + i, 9));
      const ev = await control<{ id: string }>("POST", `${cal}/events`, { summary: `New booking ${i}`, start: { dateTime: s.toISOString() }, end: { dateTime: new Date(s.getTime() + 3600_000).toISOString() } });
      changed.add(ev.id);
    }
    const since = new Date();
    await new Promise((r) => setTimeout(r, 5));

    // ── the incremental sync ──
    await resetCalls();
    const inc = await run();
    const incCalls = await calls();
    const touched = await pgPool().query<{ google_event_id: string }>(`select google_event_id from calendar_events where integration_id = $1 and updated_at > $2`, [row.id, since]);
    const touchedIds = new Set(touched.rows.map((r) => r.google_event_id));
    const exact = touchedIds.size === changed.size && [...changed].every((id) => touchedIds.has(id));
    const alive = await db.calendarEvent.count({ where: { integrationId: row.id, deletedAt: null } });
    const expectedAlive = EVENTS - CHANGES.deleted + CHANGES.created;

    // ── the verdict ──
    const minFull = Math.ceil(EVENTS / PAGE);
    const minInc = Math.ceil(changed.size / PAGE);
    const fullOk = fullCalls.total <= minFull + 1 && stored === EVENTS;
    const incOk = incCalls.total <= minInc + 1 && inc.details.rowsTouched === changed.size && exact && alive === expectedAlive;
    const fmtCalls = (c: Calls) => Object.entries(c.byMethod).map(([m, n]) => `${n} ${m}`).join(", ") || "none";
    const table: string[][] = [
      ["", "time", "API calls: sandbox / our logs", "minimum", "target", "rows touched", "verdict"],
      [
        "full sync",
        `${(full.ms / 1000).toFixed(2)} s`,
        `${fmtCalls(fullCalls)} / ${await jobCalls(full.job.id)}`,
        String(minFull),
        `≤ ${minFull + 1}`,
        `${full.details.rowsTouched.toLocaleString("en")} (${stored.toLocaleString("en")} stored)`,
        fullOk ? "ok" : "MISSED",
      ],
      ["  floor: the same pages", `${(floorMs / 1000).toFixed(2)} s`, "bare client, nothing stored", "", "", "0", `ours ${(full.ms / floorMs).toFixed(1)}× the floor`],
      [
        `incremental, ${changed.size} changes`,
        `${(inc.ms / 1000).toFixed(2)} s`,
        `${fmtCalls(incCalls)} / ${await jobCalls(inc.job.id)}`,
        String(minInc),
        `≤ ${minInc + 1}`,
        `${inc.details.rowsTouched} (${exact ? "exactly the changed" : "NOT the changed set"})`,
        incOk ? "ok" : "MISSED",
      ],
    ];
    const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
    const right = new Set([1, 3, 4]);
    console.log(`\nGoogle Calendar sync: ${EVENTS.toLocaleString("en")} events in the sandbox, pages of ${PAGE.toLocaleString("en")} (the API's largest)`);
    for (const r of table) console.log(`  ${r.map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("   ").trimEnd()}`);
    console.log(`  incremental pulled: ${JSON.stringify(inc.details.pulled)}; events here afterwards ${alive.toLocaleString("en")} (expected ${expectedAlive.toLocaleString("en")})`);
    const ok = fullOk && incOk;
    console.log(`  → ${ok ? "ok" : "MISSED"} (targets: calls ≤ minimum + 1; the incremental sync touches exactly the ${changed.size} changed events)`);
    return { ok };
  } finally {
    sandbox.kill("SIGTERM");
  }
}
