// Click's side, played locally: the payment page a payment link opens and the SHOP API calls
// Click makes to the service's Prepare and Complete URLs (form fields, MD5 sign_string with the
// service's secret key, sums as "1000.00", sign_time in Tashkent time).
//   POST /click/__service {serviceId, merchantId, secretKey, prepareUrl, completeUrl}  the cabinet's settings (sandboxConnect)
//   GET  /click/services/pay?service_id&merchant_id&amount&transaction_param&return_url  the payment page: Pay, Decline
//   POST /click/services/pay (the same query, form: outcome=pay|decline)  the payer's choice; then back to return_url
//   POST /click/__pay {link, scenario, faults}  the same without a browser, answered with every call made:
//        scenario: pay (Prepare, Complete) | decline (Prepare, Complete with error -5017 "Insufficient funds":
//        Click's card error codes are UNCONFIRMED, any negative error means it failed)
//        faults: {wrongSign, amountDelta (tiyin added), order (another merchant_trans_id), repeats (how many
//        times each call is sent, default 1; every repeat must be answered as the first)}
//   POST /click/__call {serviceId, fields}       one call with the given fields (signed unless sign_string is given)
//   POST /click/__console/{serviceId}/check      a wrong signature must get -1, an unknown order -5
//   GET  /click/__calls?serviceId=               every call made, newest first
import { randomInt, randomUUID } from "node:crypto";
import type { Context } from "hono";
import { escapeHtml, hostedPage, plainCss } from "@/lib/sandbox/html";
import { callMerchant, deliveryLog, sendRepeated, type SandboxKit, type SandboxModule } from "@/lib/sandbox/kit";
import { signOf, signTime, sumOf, tiyinOf } from "@/lib/providers/click/client";

type Service = { serviceId: string; merchantId: string; secretKey: string; prepareUrl: string; completeUrl: string };
type Answer = { click_trans_id?: number; merchant_trans_id?: string; merchant_prepare_id?: number | null; merchant_confirm_id?: number | null; error?: number; error_note?: string };
type Call = { serviceId: string; action: string; fields: Record<string, string>; answer: Answer | null; httpStatus: number | null; error?: string; at: string };
type State = { services: Map<string, Service>; calls: Call[] };
type Faults = { wrongSign?: boolean; amountDelta?: number; order?: string; repeats?: number };
type Scenario = "pay" | "decline";

const page = (title: string, body: string) => hostedPage(title, body, plainCss({ radius: "2rem", primary: "background:#0066ff;color:#fff;border-color:#0066ff" }));
const esc = escapeHtml;

const clickSandbox: SandboxModule = {
  id: "click",
  faultBody: (status) => ({ error: -8, error_note: `Sandbox fault ${status}` }),
  mount(app, kit: SandboxKit) {
    const st = () => kit.state<State>("click", () => ({ services: new Map(), calls: [] }));
    const log = deliveryLog<Call>(() => st().calls);

    /** one signed call to the service's Prepare (action 0) or Complete (action 1) URL, logged */
    async function send(svc: Service, fields: Record<string, string>, opts: { wrongSign?: boolean } = {}): Promise<Call> {
      const f: Record<string, string> = { ...fields, service_id: svc.serviceId, sign_time: fields.sign_time ?? signTime() };
      f.sign_string ??= signOf(f, opts.wrongSign ? `${svc.secretKey}-not` : svc.secretKey);
      const r = await callMerchant<Answer>(f.action === "1" ? svc.completeUrl : svc.prepareUrl, {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(f).toString(),
      });
      return log.add({ serviceId: svc.serviceId, action: f.action, fields: f, ...r, at: new Date().toISOString() });
    }

    /** what Click does for a payment page's parameters, played through */
    async function run(q: Record<string, string>, scenario: Scenario, faults: Faults = {}) {
      const svc = st().services.get(q.service_id ?? "");
      if (!svc) return { status: 404, body: { error: `no service ${q.service_id}: set its URLs first (POST /click/__service)` } };
      const tiyin = tiyinOf(q.amount ?? "");
      if (tiyin === null || !q.transaction_param) return { status: 400, body: { error: "amount and transaction_param are required" } };
      const calls: Call[] = [];
      const checks: string[] = [];
      const times = Math.max(1, faults.repeats ?? 1);
      const clickTransId = String(randomInt(1_000_000_000, 9_999_999_999));
      const base = { click_trans_id: clickTransId, click_paydoc_id: String(randomInt(1_000_000, 9_999_999)), merchant_trans_id: faults.order ?? q.transaction_param, amount: sumOf(tiyin + (faults.amountDelta ?? 0)) };
      const call = async (fields: Record<string, string>) => {
        const made = await sendRepeated(times, () => send(svc, fields, faults), (c) => c.answer, fields.action === "1" ? "Complete" : "Prepare", checks);
        calls.push(...made);
        return made[0];
      };
      const done = (ok: boolean, outcome: string) => ({ status: 200, body: { ok: ok && !checks.length, outcome, returnUrl: q.return_url ?? null, calls, checks } });

      const prepared = await call({ ...base, action: "0", error: "0", error_note: "Success" });
      if (prepared.answer?.error !== 0) return done(false, `Prepare refused: ${prepared.answer?.error ?? prepared.error ?? prepared.httpStatus}`);
      const prepareId = String(prepared.answer.merchant_prepare_id ?? "");
      if (scenario === "decline") {
        const failed = await call({ ...base, action: "1", merchant_prepare_id: prepareId, error: "-5017", error_note: "Insufficient funds" });
        return done(failed.answer?.error === -9, `declined: Complete with error -5017 answered ${failed.answer?.error ?? failed.error}`);
      }
      const completed = await call({ ...base, action: "1", merchant_prepare_id: prepareId, error: "0", error_note: "Success" });
      if (completed.answer?.error !== 0) return done(false, `Complete refused: ${completed.answer?.error ?? completed.error ?? completed.httpStatus}`);
      return done(true, "paid");
    }

    const queryOf = (link: string): Record<string, string> => {
      try {
        return Object.fromEntries(new URL(link).searchParams);
      } catch {
        return {};
      }
    };

    // ── the cabinet and the checks ──
    app.post("/__service", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as Partial<Service>;
      const url = /^https?:\/\//;
      if (!b.serviceId || !b.secretKey || !url.test(b.prepareUrl ?? "") || !url.test(b.completeUrl ?? "")) {
        return c.json({ error: "serviceId, secretKey and http(s) prepareUrl and completeUrl are required" }, 400);
      }
      st().services.set(b.serviceId, { serviceId: b.serviceId, merchantId: b.merchantId ?? "", secretKey: b.secretKey, prepareUrl: b.prepareUrl!, completeUrl: b.completeUrl! });
      return c.body(null, 204);
    });
    app.get("/__calls", (c) => {
      const s = c.req.query("serviceId");
      return c.json({ items: log.list(s ? (x) => x.serviceId === s : undefined) });
    });
    app.post("/__console/:serviceId/check", async (c) => {
      const svc = st().services.get(c.req.param("serviceId"));
      if (!svc) return c.json({ ok: false, message: "The Click sandbox has no URLs for this service yet: save the integration again" });
      const fields = () => ({ click_trans_id: String(randomInt(1_000_000_000, 9_999_999_999)), click_paydoc_id: "1", merchant_trans_id: randomUUID(), amount: "1000.00", action: "0", error: "0", error_note: "Success" });
      const wrong = await send(svc, fields(), { wrongSign: true });
      if (wrong.answer?.error !== -1) return c.json({ ok: false, message: `A call with a wrong signature was answered ${JSON.stringify(wrong.answer ?? wrong.error ?? wrong.httpStatus)}, not -1` });
      const unknown = await send(svc, fields());
      if (unknown.answer?.error !== -5) return c.json({ ok: false, message: `A Prepare for an order that does not exist was answered ${JSON.stringify(unknown.answer ?? unknown.error ?? unknown.httpStatus)}, not -5` });
      return c.json({ ok: true, message: `The Click sandbox reaches ${svc.prepareUrl}: a wrong signature is refused (-1), an unknown order too (-5)` });
    });
    app.post("/__call", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { serviceId?: string; fields?: Record<string, string> };
      const svc = st().services.get(String(b.serviceId ?? ""));
      if (!svc || !b.fields?.action) return c.json({ error: "a known serviceId and fields with an action are required" }, 400);
      return c.json(await send(svc, b.fields));
    });
    app.post("/__pay", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { link?: string; scenario?: Scenario; faults?: Faults };
      const scenario = b.scenario ?? "pay";
      if (!["pay", "decline"].includes(scenario)) return c.json({ error: "scenario: pay or decline" }, 400);
      const r = await run(queryOf(String(b.link ?? "")), scenario, b.faults ?? {});
      return c.json(r.body, r.status as 200);
    });

    // ── the payment page ──
    const params = (c: Context) => Object.fromEntries(new URL(c.req.url).searchParams);
    app.get("/services/pay", (c) => {
      const q = params(c);
      const tiyin = tiyinOf(q.amount ?? "");
      if (tiyin === null || !q.service_id || !q.transaction_param) return c.html(page("CLICK", "<h1>This is not a Click payment link</h1>"), 400);
      const known = st().services.has(q.service_id);
      return c.html(
        page(
          "Click sandbox payment",
          `<h1>Pay ${esc(sumOf(tiyin))} UZS</h1>
<p>Order ${esc(q.transaction_param)}</p>
<p class="note">Click sandbox: no money moves. Service ${esc(q.service_id)}${known ? "" : " (no Prepare/Complete URL set: save the integration again)"}. Click calls the service's Prepare and Complete URLs.</p>
<form method="post" action="/click/services/pay?${esc(new URLSearchParams(q).toString())}"><fieldset><legend>Card 8600 **** **** 0000</legend>
<button class="primary" type="submit" name="outcome" value="pay">Pay</button>
<button type="submit" name="outcome" value="decline">Decline</button></fieldset></form>`,
        ),
      );
    });
    app.post("/services/pay", async (c) => {
      const q = params(c);
      const form = await c.req.parseBody();
      const r = await run(q, form.outcome === "decline" ? "decline" : "pay");
      const body = r.body as { ok?: boolean; outcome?: string; error?: string; calls?: Call[] };
      if (r.status === 200 && body.ok && form.outcome !== "decline" && q.return_url) return c.redirect(q.return_url, 303);
      const refused = body.calls?.find((x) => x.answer?.error)?.answer;
      return c.html(
        page(
          "CLICK",
          `<h1>${form.outcome !== "decline" && body.ok ? "Paid" : "The payment did not go through"}</h1><p>${esc(body.outcome ?? body.error ?? "")}</p>${
            refused ? `<p class="note">${esc(refused.error)}: ${esc(refused.error_note)}</p>` : ""
          }${q.return_url ? `<p><a href="${esc(q.return_url)}">Back to the shop</a></p>` : ""}`,
        ),
        r.status === 200 ? 200 : (r.status as 404),
      );
    });
  },
};

export default clickSandbox;
