// What every provider emulator (lib/providers/<id>/sandbox.ts) gets from the sandbox server.
import type { Hono } from "hono";

export type InboxItem = {
  id: string;
  provider: string;
  /** sms | email | push | chat | webhook | … */
  kind: string;
  to: string;
  summary: string;
  payload: unknown;
  at: string;
};

export type SandboxKit = {
  /** everything the emulator "delivered", for people and tests to look at */
  inbox: { push(item: Omit<InboxItem, "id" | "at">): InboxItem; list(provider?: string): InboxItem[] };
  /** per-provider state that lives as long as the server */
  state<T>(provider: string, init: () => T): T;
  /** the base URL this server answers on, e.g. http://127.0.0.1:4010 */
  baseUrl(): string;
};

export type SandboxModule = {
  id: string;
  mount(app: Hono, kit: SandboxKit): void;
  /**
   * Listeners that are not HTTP (the SMTP sandbox): started with the sandbox server, closed
   * with it. What it returns is served at GET /<id>/__info (e.g. { host, port }).
   */
  start?(kit: SandboxKit): Promise<{ info: Record<string, unknown>; close(): Promise<void> }>;
  /** the provider's own error format for injected faults */
  faultBody?(status: number, retryAfterSeconds?: number): unknown;
};

// ───────────── webhooks out: what every emulator does when it plays the provider's side ─────────────

/** One POST of a webhook and what came back. */
export type Posted = {
  /** a 2xx came back */
  ok: boolean;
  /** the HTTP status, null when no answer came (refused, timeout) */
  status: number | null;
  /** the answer's headers, null without an answer (RingCentral's handshake reads validation-token) */
  headers: Headers | null;
  /** the answer's body (always read, so the connection is released), "" without an answer */
  text: string;
  /** why no answer came ("fetch failed", "The operation was aborted due to timeout") */
  error: string | null;
  /** no answer within the timeout */
  timedOut: boolean;
  /** how long it took, ms */
  ms: number;
};

/**
 * POSTs one webhook the way a provider does: its headers (signature included), the raw body, a
 * timeout (10 s, as the providers' own), the answer read whole. Never throws: a failure is in
 * the answer. `retries`: that many more tries after an attempt without a 2xx (providers retry;
 * the emulators do only where a test asks for it), `retryDelayMs` apart.
 */
export async function postWebhook(
  url: string,
  req: { headers?: Record<string, string>; body?: string; timeoutMs?: number; retries?: number; retryDelayMs?: number },
): Promise<Posted> {
  const started = Date.now();
  let out: Posted;
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(url, { method: "POST", headers: req.headers, body: req.body, signal: AbortSignal.timeout(req.timeoutMs ?? 10_000) });
      const text = await res.text().catch(() => "");
      out = { ok: res.ok, status: res.status, headers: res.headers, text, error: null, timedOut: false, ms: Date.now() - started };
    } catch (e) {
      out = { ok: false, status: null, headers: null, text: "", error: (e as Error).message, timedOut: (e as Error).name === "TimeoutError", ms: Date.now() - started };
    }
    if (out.ok || attempt >= (req.retries ?? 0)) return out;
    await new Promise((r) => setTimeout(r, req.retryDelayMs ?? 250));
  }
}

/**
 * What most delivery logs keep of an answer: `ok`, the status under `field` ("httpStatus" or
 * "status") when one came, and `error`: "HTTP 500", or why no answer came.
 */
export function answered(p: Posted): { ok: boolean; httpStatus?: number; error?: string };
export function answered(p: Posted, field: "status"): { ok: boolean; status?: number; error?: string };
export function answered(p: Posted, field: "status" | "httpStatus" = "httpStatus"): { ok: boolean; error?: string } {
  return {
    ok: p.ok,
    ...(p.status !== null ? { [field]: p.status } : {}),
    ...(p.error !== null ? { error: p.error } : !p.ok ? { error: `HTTP ${p.status}` } : {}),
  };
}

/**
 * A delivery log, newest first, capped (500 by default), kept in the emulator's state (so the
 * sandbox's reset clears it) and served by its own control endpoint (/__deliveries, /__events,
 * /__notifications …) in the emulator's own record shape.
 */
export function deliveryLog<D>(items: () => D[], limit = 500) {
  return {
    add(d: D): D {
      const list = items();
      list.unshift(d);
      if (list.length > limit) list.length = limit;
      return d;
    },
    list(filter?: (d: D) => boolean): D[] {
      return filter ? items().filter(filter) : items();
    },
  };
}

/**
 * Signed webhook delivery with a log: `deliver()` signs the body (`sign`: the provider's own
 * signature headers), POSTs it (postWebhook) and logs the record the emulator makes of the
 * answer. `logFirst`: the record is logged before the POST and updated in place (a test sees a
 * delivery in flight), otherwise once the answer came.
 */
export function webhookDeliverer<D extends object>(opts: {
  log: () => D[];
  limit?: number;
  /** headers every delivery carries (content-type, the provider's user-agent) */
  headers?: Record<string, string>;
  sign?: (body: string) => Record<string, string>;
  timeoutMs?: number;
  retries?: number;
  retryDelayMs?: number;
}) {
  const log = deliveryLog(opts.log, opts.limit);
  return {
    log,
    async deliver(
      url: string,
      /** undefined: a POST without a body (RingCentral's validation handshake) */
      body: string | undefined,
      record: { start?: D; done: (p: Posted, d: D | undefined) => D | void; headers?: Record<string, string>; logFirst?: boolean; timeoutMs?: number },
    ): Promise<{ posted: Posted; record: D | undefined }> {
      let d = record.start;
      if (record.logFirst && d) log.add(d);
      const posted = await postWebhook(url, {
        headers: { ...opts.headers, ...record.headers, ...(opts.sign ? opts.sign(body ?? "") : {}) },
        body,
        timeoutMs: record.timeoutMs ?? opts.timeoutMs,
        retries: opts.retries,
        retryDelayMs: opts.retryDelayMs,
      });
      const made = record.done(posted, d);
      if (made) d = made;
      if (!record.logFirst && d) log.add(d);
      return { posted, record: d };
    },
  };
}

// ───────────── idempotency keys: the provider's own (Idempotency-Key, Idempotence-Key, PayPal-Request-Id) ─────────────

/**
 * The provider's idempotency semantics: the first answer to a key is kept with a fingerprint of
 * the request; the same key with the same request replays it, with another request is refused
 * (each provider words the refusal itself). The map lives in the emulator's state.
 */
export function idempotencyStore<R>(map: () => Map<string, { fingerprint: string; res: R }>) {
  return {
    /** "new": run it (then `remember`); "replay": answer `res`; "mismatch": the key was used for another request */
    check(key: string, fingerprint: string): { kind: "new" } | { kind: "replay"; res: R } | { kind: "mismatch" } {
      const seen = map().get(key);
      if (!seen) return { kind: "new" };
      return seen.fingerprint === fingerprint ? { kind: "replay", res: seen.res } : { kind: "mismatch" };
    },
    remember(key: string, fingerprint: string, res: R) {
      map().set(key, { fingerprint, res });
    },
  };
}

// ───────────── merchant APIs: the provider calls the merchant and reads its JSON answer (Payme, Click) ─────────────

/** One call to a merchant's endpoint, its JSON answer (null when none came or it was not JSON). */
export async function callMerchant<A>(url: string, req: { headers: Record<string, string>; body: string }): Promise<{ answer: A | null; httpStatus: number | null; error?: string }> {
  const posted = await postWebhook(url, req);
  let answer: A | null;
  try {
    answer = posted.text ? (JSON.parse(posted.text) as A) : null;
  } catch {
    answer = null;
  }
  return { answer, httpStatus: posted.status, ...(posted.error ? { error: posted.error } : {}) };
}

/**
 * Sends one call `times` times, as the providers' test consoles do, and checks that every
 * answer says what the first said (`said`: the part that must not change); a difference is
 * added to `checks` in words. All the calls, in order.
 */
export async function sendRepeated<C>(times: number, send: () => Promise<C>, said: (c: C) => unknown, label: string, checks: string[]): Promise<C[]> {
  const all = [await send()];
  for (let i = 1; i < times; i++) {
    const again = await send();
    all.push(again);
    if (JSON.stringify(said(again)) !== JSON.stringify(said(all[0]))) {
      checks.push(`${label} sent again was answered differently: ${JSON.stringify(said(all[0]))} then ${JSON.stringify(said(again))}`);
    }
  }
  return all;
}
