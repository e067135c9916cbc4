// Payme's side, played locally: the checkout a payment link opens and the Merchant API calls
// Payme makes to the cashbox's endpoint, as its test console makes them (each of CreateTransaction,
// PerformTransaction and CancelTransaction sent twice: the repeat must be answered exactly as
// the first, which the console checks). JSON-RPC 2.0, HTTP Basic Paycom:<key>, sums in tiyin,
// 24-character transaction ids, times in milliseconds.
//   POST /payme/__cashbox {merchantId, key, endpoint, accountField}  the cabinet's settings (sandboxConnect)
//   GET  /payme/__cashbox/{merchantId}                                 them, without the key
//   GET  /payme/{base64}                                               the checkout: Pay, Decline
//   POST /payme/{base64}  (form: outcome=pay|decline)                  the payer's choice; then back to c=
//   POST /payme/__pay {link | token, scenario, faults}                 the same without a browser, answered
//        with every call made and the console's checks:
//        scenario: pay (CheckPerform, Create ×2, Perform ×2, CheckTransaction) | decline (… Create ×2,
//        Cancel reason 3 ×2, CheckTransaction) | refund (pay, then Cancel reason 5 ×2, CheckTransaction)
//        | timeout (Create with Payme's time 12 h minus 3 s ago, Perform once the 12 h have passed)
//        faults: {wrongKey, amountDelta (tiyin added), order (another order id), repeats (how many
//        times each of Create/Perform/Cancel is sent, default 2)}
//   POST /payme/__call {merchantId, method, params, key?}              one call as given (tests, GetStatement)
//   POST /payme/__console/{merchantId}/check                           the console's first checks: a wrong
//        key must get -32504, an order that does not exist an error in -31050…-31099
//   GET  /payme/__calls?merchantId=                                    every call made, newest first
import { randomBytes, randomUUID } from "node:crypto";
import type { Context } from "hono";
import { escapeHtml, hostedPage, plainCss } from "@/lib/sandbox/html";
import { callMerchant, deliveryLog, sendRepeated, type SandboxKit, type SandboxModule } from "@/lib/sandbox/kit";
import { TIMEOUT_MS, readCheckoutToken } from "@/lib/providers/payme/client";

type Cashbox = { merchantId: string; key: string; endpoint: string; accountField: string };
type Call = {
  merchantId: string;
  method: string;
  params: Record<string, unknown>;
  /** the JSON answered, null when none came */
  answer: { result?: Record<string, unknown>; error?: { code: number; message: Record<string, string>; data?: unknown } } | null;
  httpStatus: number | null;
  error?: string;
  at: string;
};
type State = { cashboxes: Map<string, Cashbox>; calls: Call[] };
type Faults = { wrongKey?: boolean; amountDelta?: number; order?: string; repeats?: number };
type Scenario = "pay" | "decline" | "refund" | "timeout";

/** Payme's ids are 24 hexadecimal characters (MongoDB ObjectIds: a time, then randomness) */
const objectId = () => Math.floor(Date.now() / 1000).toString(16).padStart(8, "0") + randomBytes(8).toString("hex");

const page = (title: string, body: string) => hostedPage(title, body, plainCss({ radius: ".6rem", primary: "background:#00a8a8;color:#fff;border-color:#00a8a8" }));
const esc = escapeHtml;
const sum = (tiyin: number) => `${Math.floor(tiyin / 100)}.${String(tiyin % 100).padStart(2, "0")}`;

const paymeSandbox: SandboxModule = {
  id: "payme",
  faultBody: (status) => ({ error: { code: -32400, message: { ru: "Ошибка песочницы", uz: "Sandbox xatosi", en: `Sandbox fault ${status}` } } }),
  mount(app, kit: SandboxKit) {
    const st = () => kit.state<State>("payme", () => ({ cashboxes: new Map(), calls: [] }));
    const log = deliveryLog<Call>(() => st().calls);

    /** one Merchant API call to the cashbox's endpoint, logged */
    async function rpc(box: Cashbox, method: string, params: Record<string, unknown>, key = box.key): Promise<Call> {
      const r = await callMerchant<Call["answer"]>(box.endpoint, {
        headers: { "content-type": "application/json; charset=UTF-8", authorization: `Basic ${Buffer.from(`Paycom:${key}`).toString("base64")}` },
        body: JSON.stringify({ jsonrpc: "2.0", id: Math.floor(Math.random() * 1e9), method, params }),
      });
      return log.add({ merchantId: box.merchantId, method, params, ...r, at: new Date().toISOString() });
    }

    /** what Payme does for a checkout link (or its token), played through */
    async function run(token: string, scenario: Scenario, faults: Faults = {}) {
      const p = readCheckoutToken(token);
      if (!p) return { status: 400, body: { error: "not a Payme checkout link" } };
      const box = st().cashboxes.get(p.m);
      if (!box) return { status: 404, body: { error: `no cashbox ${p.m}: set its endpoint first (POST /payme/__cashbox)` } };
      const accountKey = Object.keys(p).find((k) => k.startsWith("ac.")) ?? `ac.${box.accountField}`;
      const account = { [accountKey.slice(3)]: faults.order ?? p[accountKey] ?? "" };
      const amount = Number(p.a) + (faults.amountDelta ?? 0);
      const times = Math.max(1, faults.repeats ?? 2);
      const useKey = faults.wrongKey ? `wrong-${randomBytes(12).toString("base64url")}` : box.key;
      const calls: Call[] = [];
      const checks: string[] = [];
      const call = async (method: string, params: Record<string, unknown>, n = 1) => {
        const made = await sendRepeated(n, () => rpc(box, method, params, useKey), (x) => x.answer?.result ?? x.answer?.error?.code, method, checks);
        calls.push(...made);
        return made[0];
      };
      const done = (ok: boolean, outcome: string) => ({ status: 200, body: { ok: ok && !checks.length, outcome, returnUrl: p.c ?? null, calls, checks } });

      const check = await call("CheckPerformTransaction", { amount, account });
      if (!check.answer?.result) return done(false, `CheckPerformTransaction refused: ${check.answer?.error?.code ?? check.error ?? check.httpStatus}`);
      const id = objectId();
      const time = scenario === "timeout" ? Date.now() - TIMEOUT_MS + 3000 : Date.now();
      const created = await call("CreateTransaction", { id, time, amount, account }, times);
      if (!created.answer?.result) return done(false, `CreateTransaction refused: ${created.answer?.error?.code ?? created.error}`);
      if (scenario === "decline") {
        await call("CancelTransaction", { id, reason: 3 }, times);
        await call("CheckTransaction", { id });
        return done(true, "declined: the transaction was cancelled");
      }
      if (scenario === "timeout") {
        // Payme's clock: 12 hours after `time`, a transaction not performed is dead
        while (Date.now() <= time + TIMEOUT_MS) await new Promise((r) => setTimeout(r, Math.max(10, time + TIMEOUT_MS - Date.now() + 5)));
        const late = await call("PerformTransaction", { id });
        await call("CheckTransaction", { id });
        return done(late.answer?.error?.code === -31008, `PerformTransaction after 12 hours: ${late.answer?.error?.code ?? "performed"}`);
      }
      const performed = await call("PerformTransaction", { id }, times);
      if (!performed.answer?.result) return done(false, `PerformTransaction refused: ${performed.answer?.error?.code ?? performed.error}`);
      if (scenario === "refund") {
        await call("CancelTransaction", { id, reason: 5 }, times);
        await call("CheckTransaction", { id });
        return done(true, "paid, then refunded (cancelled after it was performed)");
      }
      await call("CheckTransaction", { id });
      return done(true, "paid");
    }

    /** a link's token: everything after /payme/ (standard base64 may hold "/") */
    const tokenOf = (v: unknown) => {
      const s = String(v ?? "");
      if (!/^https?:\/\//.test(s)) return s;
      return new URL(s).pathname.replace(/^\/payme\//, "");
    };

    // ── the cabinet and the console ──
    app.post("/__cashbox", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as Partial<Cashbox>;
      if (!b.merchantId || !b.key || !b.endpoint || !/^https?:\/\//.test(b.endpoint)) return c.json({ error: "merchantId, key and an http(s) endpoint are required" }, 400);
      st().cashboxes.set(b.merchantId, { merchantId: b.merchantId, key: b.key, endpoint: b.endpoint, accountField: b.accountField || "order_id" });
      return c.body(null, 204);
    });
    app.get("/__cashbox/:merchantId", (c) => {
      const box = st().cashboxes.get(c.req.param("merchantId"));
      if (!box) return c.json({ error: "no such cashbox" }, 404);
      return c.json({ merchantId: box.merchantId, endpoint: box.endpoint, accountField: box.accountField });
    });
    app.get("/__calls", (c) => {
      const m = c.req.query("merchantId");
      return c.json({ items: log.list(m ? (x) => x.merchantId === m : undefined) });
    });
    app.post("/__console/:merchantId/check", async (c) => {
      const box = st().cashboxes.get(c.req.param("merchantId"));
      if (!box) return c.json({ ok: false, message: "The Payme sandbox has no endpoint for this cashbox yet: save the integration again" });
      const wrong = await rpc(box, "CheckPerformTransaction", { amount: 100, account: { [box.accountField]: randomUUID() } }, `wrong-${randomBytes(12).toString("base64url")}`);
      if (wrong.answer?.error?.code !== -32504) {
        return c.json({ ok: false, message: `A call with a wrong key was answered ${JSON.stringify(wrong.answer ?? wrong.error ?? wrong.httpStatus)}, not -32504` });
      }
      const unknown = await rpc(box, "CheckPerformTransaction", { amount: 100, account: { [box.accountField]: randomUUID() } });
      const code = unknown.answer?.error?.code;
      if (code === undefined || code > -31050 || code < -31099) {
        return c.json({ ok: false, message: `A call for an order that does not exist was answered ${JSON.stringify(unknown.answer ?? unknown.error ?? unknown.httpStatus)}` });
      }
      return c.json({ ok: true, message: `The Payme sandbox reaches ${box.endpoint}: a wrong key is refused (-32504), an unknown order too (${code})` });
    });
    app.post("/__call", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { merchantId?: string; method?: string; params?: Record<string, unknown>; key?: string };
      const box = st().cashboxes.get(String(b.merchantId ?? ""));
      if (!box || !b.method) return c.json({ error: "a known merchantId and a method are required" }, 400);
      return c.json(await rpc(box, b.method, b.params ?? {}, b.key ?? box.key));
    });
    app.post("/__pay", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { link?: string; token?: string; scenario?: Scenario; faults?: Faults };
      const scenario = b.scenario ?? "pay";
      if (!["pay", "decline", "refund", "timeout"].includes(scenario)) return c.json({ error: "scenario: pay, decline, refund or timeout" }, 400);
      const r = await run(tokenOf(b.token ?? b.link), scenario, b.faults ?? {});
      return c.json(r.body, r.status as 200);
    });

    // ── the checkout ──
    const checkout = (c: Context) => {
      const token = c.req.param("token") ?? "";
      const p = readCheckoutToken(token);
      if (!p) return { token, p: null, box: null };
      return { token, p, box: st().cashboxes.get(p.m) ?? null };
    };
    app.get("/:token{[A-Za-z0-9+/=%]+}", (c) => {
      const { token, p, box } = checkout(c);
      if (!p) return c.html(page("Payme", "<h1>This is not a Payme checkout link</h1>"), 404);
      const order = Object.entries(p).find(([k]) => k.startsWith("ac."));
      return c.html(
        page(
          "Payme sandbox checkout",
          `<h1>Pay ${esc(sum(Number(p.a)))} UZS</h1>
<p>${order ? `Order ${esc(order[1])}` : ""}</p>
<p class="note">Payme sandbox: no money moves. Cashbox ${esc(p.m)}${box ? "" : " (no endpoint set: save the integration again)"}. Payme calls the cashbox's endpoint as its test console does.</p>
<form method="post" action="/payme/${esc(token)}"><fieldset><legend>Card 8600 **** **** 0000</legend>
<button class="primary" type="submit" name="outcome" value="pay">Pay</button>
<button type="submit" name="outcome" value="decline">Decline</button></fieldset></form>`,
        ),
      );
    });
    app.post("/:token{[A-Za-z0-9+/=%]+}", async (c) => {
      const { token, p } = checkout(c);
      if (!p) return c.html(page("Payme", "<h1>This is not a Payme checkout link</h1>"), 404);
      const form = await c.req.parseBody();
      const scenario: Scenario = form.outcome === "decline" ? "decline" : "pay";
      const r = await run(token, scenario);
      const body = r.body as { ok?: boolean; outcome?: string; error?: string; calls?: Call[] };
      if (r.status === 200 && body.ok && p.c) return c.redirect(p.c, 303);
      const refused = body.calls?.find((x) => x.answer?.error)?.answer?.error;
      return c.html(
        page(
          "Payme",
          `<h1>${body.ok ? "Done" : "The payment did not go through"}</h1><p>${esc(body.outcome ?? body.error ?? "")}</p>${
            refused ? `<p class="note">${esc(refused.code)}: ${esc(refused.message?.en ?? "")}</p>` : ""
          }${p.c ? `<p><a href="${esc(p.c)}">Back to the shop</a></p>` : ""}`,
        ),
        r.status === 200 ? 200 : (r.status as 404),
      );
    });
  },
};

export default paymeSandbox;
