// The sandbox server: hosts every provider's emulator on one local port, plus a control API
// for tests and the demo: inject faults (HTTP errors, 429 with Retry-After, timeouts), read
// the inbox of what was "sent", see the requests received, reset.
import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { serve, type ServerType } from "@hono/node-server";
import type { InboxItem, SandboxKit, SandboxModule } from "@/lib/sandbox/kit";
import { loadSandboxModules } from "@/lib/sandbox/modules";

type Fault = {
  id: string;
  provider: string;
  path?: RegExp;
  method?: string;
  status?: number;
  delayMs?: number;
  retryAfter?: number;
  body?: unknown;
  /** run the request first, then answer with the fault: the provider did the work but the
   *  answer was lost (what idempotency keys are for) */
  after?: boolean;
  remaining: number;
};

type Seen = { provider: string; method: string; path: string; headers: Record<string, string>; body: string; at: string };

export function createSandboxApp(modules: SandboxModule[], getBaseUrl: () => string = () => "") {
  const listeners = new Map<string, { info: Record<string, unknown>; close(): Promise<void> }>();
  const app = new Hono();
  let inbox: InboxItem[] = [];
  let faults: Fault[] = [];
  let seen: Seen[] = [];
  let states = new Map<string, unknown>();
  /** every delivery counted per provider and recipient (the inbox itself keeps only the newest 1000) */
  let counts = new Map<string, Map<string, number>>();
  /** emulator requests not answered yet (a test's "nothing more happens" waits for 0) */
  let inFlight = 0;

  const kit: SandboxKit = {
    inbox: {
      push(item) {
        const per = counts.get(item.provider) ?? new Map<string, number>();
        per.set(item.to, (per.get(item.to) ?? 0) + 1);
        counts.set(item.provider, per);
        const full = { ...item, id: randomUUID(), at: new Date().toISOString() };
        inbox.unshift(full);
        if (inbox.length > 1000) inbox.length = 1000;
        return full;
      },
      list: (provider) => (provider ? inbox.filter((i) => i.provider === provider) : inbox),
    },
    state<T>(provider: string, init: () => T): T {
      if (!states.has(provider)) states.set(provider, init());
      return states.get(provider) as T;
    },
    baseUrl: getBaseUrl,
  };

  // ── control API ──
  app.get("/__control/health", (c) => c.json({ ok: true, providers: modules.map((m) => m.id) }));
  app.post("/__control/faults", async (c) => {
    const b = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
    if (!b || typeof b.provider !== "string") return c.json({ error: "provider is required" }, 400);
    const f: Fault = {
      id: randomUUID(),
      provider: b.provider,
      path: typeof b.path === "string" ? new RegExp(b.path) : undefined,
      method: typeof b.method === "string" ? b.method.toUpperCase() : undefined,
      status: typeof b.status === "number" ? b.status : undefined,
      delayMs: typeof b.delayMs === "number" ? b.delayMs : undefined,
      retryAfter: typeof b.retryAfter === "number" ? b.retryAfter : undefined,
      body: b.body,
      after: b.after === true,
      remaining: typeof b.times === "number" ? b.times : 1,
    };
    faults.push(f);
    return c.json({ id: f.id }, 201);
  });
  app.delete("/__control/faults", (c) => {
    faults = [];
    return c.body(null, 204);
  });
  app.get("/__control/inbox", (c) => c.json({ items: kit.inbox.list(c.req.query("provider")) }));
  // how many messages each recipient got: lost and duplicated deliveries show here (benchmarks)
  app.get("/__control/delivery-counts", (c) => {
    const per = counts.get(c.req.query("provider") ?? "") ?? new Map<string, number>();
    let total = 0;
    let duplicated = 0;
    for (const v of per.values()) {
      total += v;
      if (v > 1) duplicated++;
    }
    return c.json({ total, recipients: per.size, duplicatedRecipients: duplicated });
  });
  app.get("/__control/requests", (c) => {
    const p = c.req.query("provider");
    return c.json({ items: p ? seen.filter((s) => s.provider === p) : seen });
  });
  app.get("/__control/in-flight", (c) => c.json({ count: inFlight }));
  app.post("/__control/reset", (c) => {
    inbox = [];
    faults = [];
    seen = [];
    states = new Map();
    counts = new Map();
    return c.body(null, 204);
  });

  // ── provider emulators, each under /<id> ──
  for (const m of modules) {
    const sub = new Hono();
    sub.use("*", async (_c, next) => {
      inFlight++;
      try {
        await next();
      } finally {
        inFlight--;
      }
    });
    sub.use("*", async (c, next) => {
      const body = await c.req.raw.clone().text();
      const headers: Record<string, string> = {};
      c.req.raw.headers.forEach((v, k) => (headers[k] = v));
      seen.unshift({ provider: m.id, method: c.req.method, path: c.req.path, headers, body, at: new Date().toISOString() });
      if (seen.length > 500) seen.length = 500;
      const f = faults.find(
        (x) => x.provider === m.id && x.remaining > 0 && (!x.method || x.method === c.req.method) && (!x.path || x.path.test(c.req.path)),
      );
      if (f) {
        f.remaining--;
        if (f.remaining === 0) faults = faults.filter((x) => x !== f);
        if (f.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
        if (f.status) {
          const payload = f.body ?? m.faultBody?.(f.status, f.retryAfter) ?? { error: `sandbox fault ${f.status}` };
          const headers = { "content-type": "application/json", ...(f.retryAfter ? { "Retry-After": String(f.retryAfter) } : {}) };
          if (f.after) {
            await next();
            c.res = new Response(JSON.stringify(payload), { status: f.status, headers });
            return;
          }
          return new Response(JSON.stringify(payload), { status: f.status, headers });
        }
      }
      await next();
    });
    if (m.start) sub.get("/__info", (c) => c.json(listeners.get(m.id)?.info ?? { error: "not started" }, listeners.has(m.id) ? 200 : 503));
    m.mount(sub, kit);
    app.route(`/${m.id}`, sub);
  }
  app.notFound((c) => c.json({ error: "no such sandbox endpoint", path: c.req.path }, 404));
  /** starts the non-HTTP listeners (SMTP …) */
  async function startListeners() {
    for (const m of modules) if (m.start) listeners.set(m.id, await m.start(kit));
  }
  async function closeListeners() {
    for (const l of listeners.values()) await l.close().catch(() => {});
    listeners.clear();
  }
  return { app, kit, startListeners, closeListeners };
}

export async function startSandboxServer(opts: { port?: number; host?: string } = {}) {
  let base = "";
  const { app, kit, startListeners, closeListeners } = createSandboxApp(await loadSandboxModules(), () => base);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname: opts.host ?? "127.0.0.1" }, () => resolve(s));
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  base = `http://${opts.host ?? "127.0.0.1"}:${port}`;
  await startListeners();
  return {
    url: base,
    kit,
    close: async () => {
      await closeListeners();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
