// "Nothing more happens": instead of sleeping a fixed time and then asserting that something
// did NOT happen, wait until the system is provably idle (every queue drained, nothing running,
// nothing due) and then assert. Idle is read from real state, never from the clock:
//   - pg-boss: no job active, none created/retrying whose start time has come;
//   - the product's own pending tables (the outboxes the dispatchers turn into jobs): webhook
//     events, messages, contact submissions, exports and sync jobs, and the event outbox
//     (domain_events) that are running or due now;
//   - the sandbox server: no request it is still answering (a fault's delay, a slow handler).
// Work scheduled for later (a retry whose backoff has not run out) is not waited for: it is
// named in the report, and a test that cares waits for it with waitFor.
// The state must read idle on two polls in a row (a row between two of its transitions reads
// busy in one table or the other, never idle in both). Given the test's workers, each of their
// dispatchers must also have run one whole tick on that idle state (so "the dispatcher leaves
// it alone" is proven, not assumed), and the state must still read idle after it. If it never
// settles within the bound, the test FAILS with what was still busy: this is not a sleep in
// disguise.
//
// Add a probe for a new kind of pending work to WORKER_PROBES below, or
// pass extra ones for one test: expectNothingMore(check, { probes: [...IDLE_PROBES, mine] }).
import { pgPool } from "@/lib/pg";

/** One "is it idle?" question: null when idle, else a short description of what is still busy. */
export type IdleProbe = { name: string; busy: () => Promise<string | null> };

/** A probe that counts rows; `sql` returns one row per kind of busy work: (what text, n int). */
export function sqlProbe(name: string, sql: string): IdleProbe {
  return {
    name,
    async busy() {
      try {
        const r = await pgPool().query<{ what: string; n: number }>(sql);
        const busy = r.rows.filter((x) => Number(x.n) > 0);
        return busy.length ? busy.map((x) => `${x.n} ${x.what}`).join(", ") : null;
      } catch (e) {
        // a table this database does not have yet (e.g. pg-boss before its first start): nothing queued there
        if ((e as { code?: string }).code === "42P01" || (e as { code?: string }).code === "3F000") return null;
        throw e;
      }
    },
  };
}

/** Jobs pg-boss is running or would hand to a worker now. */
export const pgBossProbe = sqlProbe(
  "pg-boss",
  `select name || ' ' || state as what, count(*)::int as n from pgboss.job
    where state = 'active' or (state in ('created', 'retry') and start_after <= now())
    group by name, state`,
);

/** Rows the webhook dispatcher/workers would take up now (pending and due, or processing). */
export const webhooksProbe = sqlProbe(
  "webhook events",
  `select 'webhook events ' || status as what, count(*)::int as n from webhook_events
    where status = 'processing' or (status = 'pending' and (next_attempt_at is null or next_attempt_at <= now()))
    group by status`,
);

/** The message outbox: queued messages that are due. */
export const messagesProbe = sqlProbe(
  "messages",
  `select 'queued messages' as what, count(*)::int as n from messages
    where status = 'queued' and (next_attempt_at is null or next_attempt_at <= now())`,
);

/**
 * Website contact submissions the SuiteDash dispatcher would take up now (lib/suitedash/sync.ts
 * claim(): only while the active SuiteDash integration is in API mode; the import mode leaves
 * them for a person), or holds under its lease (a claim sets next_attempt_at = updated_at + the
 * 120 s lease; a finished attempt rewrites both).
 */
export const contactsProbe = sqlProbe(
  "contact submissions",
  `with sd as (
     select coalesce(config->>'mode', 'api') as mode from integrations
      where provider = 'suitedash' and status <> 'inactive' order by priority, created_at limit 1)
   select 'contact submissions due or being synced' as what, count(*)::int as n from contact_submissions
    where (select mode from sd) = 'api'
      and ((status in ('pending', 'failed') and next_attempt_at = updated_at + interval '120 seconds')
        or (status = 'pending' and (next_attempt_at is null or next_attempt_at <= now()))
        or (status = 'failed' and next_attempt_at <= now()))`,
);

/** Exports and sync jobs queued or running. */
export const jobsProbe = sqlProbe(
  "exports and syncs",
  `select 'exports ' || status as what, count(*)::int as n from export_jobs where status in ('queued', 'running') group by status
   union all
   select 'syncs ' || status, count(*)::int from sync_jobs where status in ('queued', 'running') group by status`,
);

/** Requests the test file's sandbox server is still answering (tests/setup/file.ts starts it). */
export const sandboxProbe: IdleProbe = {
  name: "sandbox",
  async busy() {
    const url = process.env.SANDBOX_URL;
    if (!url) return null;
    const r = await fetch(`${url}/__control/in-flight`);
    if (!r.ok) throw new Error(`the sandbox server does not report its requests in flight (HTTP ${r.status})`);
    const { count } = (await r.json()) as { count: number };
    return count > 0 ? `${count} sandbox requests in flight` : null;
  },
};

/** The event outbox (lib/events.ts): events due for delivery or being delivered (a failed subscriber's retry waits for available_at). */
export const eventsProbe = sqlProbe(
  "domain events",
  `select 'domain events pending' as what, count(*)::int as n from domain_events where status = 'pending' and available_at <= now()`,
);

/** What the product's workers could still be doing. A test without running workers picks the probes that apply to it. */
export const WORKER_PROBES: IdleProbe[] = [pgBossProbe, webhooksProbe, messagesProbe, contactsProbe, jobsProbe, eventsProbe];
export const IDLE_PROBES: IdleProbe[] = [...WORKER_PROBES, sandboxProbe];

/** The running workers (lib/wiring/worker.ts startWorkers): their periodic loops can be waited for one whole tick. */
type Ticking = { ticked(names?: string[]): Promise<void> };

export type QuietOptions = {
  probes?: IdleProbe[];
  timeoutMs?: number;
  what?: string;
  /**
   * The test's running workers. State alone cannot prove that a timer-driven dispatcher has
   * looked at it (a row it must leave alone looks the same before and after): with workers
   * given, each of their dispatchers (or the `loops` named) also runs one whole tick after the
   * state reads idle, and the state must read idle again after it.
   */
  workers?: Ticking;
  loops?: string[];
};

/** Resolves once every probe reads idle on two polls in a row; throws (failing the test) if that never happens within timeoutMs. */
export async function untilIdle({ probes = IDLE_PROBES, timeoutMs = 15_000, what = "the system", workers, loops }: QuietOptions = {}): Promise<void> {
  const end = Date.now() + timeoutMs;
  const fail = (busy: string) => new Error(`${what} did not settle within ${timeoutMs} ms; still busy: ${busy}`);
  const settle = async () => {
    let idleOnce = false;
    let last: string[] = [];
    for (;;) {
      const answers = await Promise.all(probes.map(async (p) => [p.name, await p.busy()] as const));
      const busy = answers.filter(([, b]) => b).map(([name, b]) => `${name}: ${b}`);
      if (!busy.length) {
        if (idleOnce) return;
        idleOnce = true;
      } else {
        idleOnce = false;
        last = busy;
      }
      if (Date.now() > end) throw fail(last.join("; ") || "(idle only once)");
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await settle();
  if (!workers) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(fail(`the workers' ${(loops ?? ["dispatch"]).join(", ")} loops did not tick`)), Math.max(0, end - Date.now()));
  });
  try {
    await Promise.race([workers.ticked(loops), late]);
  } finally {
    clearTimeout(timer);
  }
  await settle();
}

/**
 * Waits until nothing more can happen (untilIdle), then runs `check`: the assertions about
 * what must NOT have happened (a second delivery, a retry, a duplicate row).
 */
export async function expectNothingMore<T>(check: () => T | Promise<T>, opts: QuietOptions = {}): Promise<T> {
  await untilIdle(opts);
  return await check();
}
