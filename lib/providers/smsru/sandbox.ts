// Emulator of SMS.ru's HTTP API in its wire format (GET query or POST form, json=1, HTTP 200
// with {"status":"OK"|"ERROR","status_code",…} even for errors):
//   /sms/send     api_id, to=7999…[,…], msg, from?, test? → {"status":"OK","status_code":100,"sms":{"<to>":{…,"sms_id"}},"balance"}
//   /sms/status   api_id, sms_id=a,b                      → {"status":"OK","status_code":100,"sms":{"<id>":{"status_code":103,"cost"…}}}
//   /my/balance   api_id                                   → {"status":"OK","status_code":100,"balance":…}
// An api_id must look like SMS.ru's (a UUID, 8-4-4-4-12 hex); anything else gets the
// request-level error 200. Each api_id starts with a balance of 100.00 RUB; every accepted SMS
// costs 1.50 RUB (test=1 sends cost nothing and are not "delivered" to a phone, but are kept in
// the inbox marked test). POST /smsru/__balance {"api_id","balance"} sets a balance (0 → 201).
//
// Magic recipients:
//   +79990000001 → per-number status_code 202 (invalid number / no route)
//   +79990000002 → accepted, then status 104 (not delivered)
//   +79990000003 → accepted, stays 102 (in transit) for good: for pollers that must give up
//   anything else → accepted, status 102 (in transit) for ~300 ms, then 103 (delivered)
import type { Context } from "hono";
import type { SandboxModule } from "@/lib/sandbox/kit";

const API_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/i;
const START_BALANCE = 100;
export const SMSRU_COST_PER_SMS = 1.5;
const DELIVERED_AFTER_MS = 300;

export const SMSRU_MAGIC = { invalid: "79990000001", undelivered: "79990000002", inTransit: "79990000003" } as const;

type Sent = { smsId: string; apiId: string; to: string; text: string; at: number; cost: number; test: boolean };
type Account = { balance: number };
type State = { accounts: Map<string, Account>; messages: Map<string, Sent>; next: number };

const round2 = (n: number) => Math.round(n * 100) / 100;
const err = (code: number, text: string) => ({ status: "ERROR", status_code: code, status_text: text });

async function params(c: Context): Promise<Record<string, string>> {
  const out: Record<string, string> = { ...c.req.query() };
  if (c.req.method === "POST") {
    const form = await c.req.parseBody().catch(() => ({}));
    for (const [k, v] of Object.entries(form)) if (typeof v === "string") out[k] = v;
  }
  return out;
}

const smsru: SandboxModule = {
  id: "smsru",
  faultBody: () => err(220, "Сервис временно недоступен, попробуйте чуть позже"),
  mount(app, kit) {
    const st = () => kit.state<State>("smsru", () => ({ accounts: new Map(), messages: new Map(), next: 10000000 }));
    const account = (apiId: string) => {
      const s = st();
      if (!s.accounts.has(apiId)) s.accounts.set(apiId, { balance: START_BALANCE });
      return s.accounts.get(apiId)!;
    };

    app.post("/__balance", async (c) => {
      const b = (await c.req.json().catch(() => ({}))) as { api_id?: string; balance?: number };
      if (!b.api_id || typeof b.balance !== "number") return c.json({ error: "api_id and balance required" }, 400);
      account(b.api_id).balance = b.balance;
      return c.body(null, 204);
    });

    app.all("/*", async (c) => {
      const path = c.req.path.replace(/^\/smsru/, "");
      const p = await params(c);
      // UNCONFIRMED: without json=1 SMS.ru answers plain text lines; only the code is emulated here
      const answer = (body: Record<string, unknown>) => (p.json === "1" ? c.json(body) : c.text(String(body.status_code)));
      if (!API_ID.test(p.api_id ?? "")) return answer(err(200, "Неправильный api_id"));
      const acct = account(p.api_id);

      if (path === "/my/balance") return answer({ status: "OK", status_code: 100, balance: round2(acct.balance) });

      if (path === "/sms/send") {
        const text = p.msg ?? "";
        const numbers = (p.to ?? "").split(",").map((t) => t.trim()).filter(Boolean);
        if (!numbers.length) return answer(err(202, "Неправильно указан номер телефона получателя, либо на него нет маршрута"));
        if (!text.trim()) return answer(err(203, "Нет текста сообщения"));
        if (numbers.length > 100) return answer(err(213, "Указано более 100 номеров в списке получателей"));
        const test = p.test === "1";
        const valid = numbers.filter((n) => /^\d{10,15}$/.test(n) && n !== SMSRU_MAGIC.invalid);
        if (!test && acct.balance < valid.length * SMSRU_COST_PER_SMS) return answer(err(201, "Не хватает средств на лицевом счету"));
        const sms: Record<string, unknown> = {};
        for (const to of numbers) {
          if (!valid.includes(to)) {
            sms[to] = err(202, "Неправильно указан номер телефона получателя, либо на него нет маршрута");
            continue;
          }
          const s = st();
          const smsId = `${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}-${s.next++}`;
          const cost = test ? 0 : SMSRU_COST_PER_SMS;
          acct.balance = round2(acct.balance - cost);
          s.messages.set(smsId, { smsId, apiId: p.api_id, to, text, at: Date.now(), cost, test });
          kit.inbox.push({
            provider: "smsru",
            kind: "sms",
            to: `+${to}`,
            summary: (test ? "[test] " : "") + text.slice(0, 200),
            payload: { sms_id: smsId, to, msg: text, from: p.from ?? null, test },
          });
          sms[to] = { status: "OK", status_code: 100, sms_id: smsId };
        }
        return answer({ status: "OK", status_code: 100, sms, balance: round2(acct.balance) });
      }

      if (path === "/sms/status") {
        const ids = (p.sms_id ?? "").split(",").map((t) => t.trim()).filter(Boolean);
        const sms: Record<string, unknown> = {};
        for (const id of ids) {
          const m = st().messages.get(id);
          if (!m || m.apiId !== p.api_id) {
            sms[id] = err(-1, "Сообщение не найдено");
            continue;
          }
          const done = Date.now() - m.at >= DELIVERED_AFTER_MS && m.to !== SMSRU_MAGIC.inTransit;
          const code = !done ? 102 : m.to === SMSRU_MAGIC.undelivered ? 104 : 103;
          const text = code === 102 ? "Сообщение передано оператору" : code === 103 ? "Сообщение доставлено" : "Не может быть доставлено: время жизни истекло";
          sms[id] = { status: "OK", status_code: code, status_text: text, cost: m.cost.toFixed(2), sms: 1 };
        }
        return answer({ status: "OK", status_code: 100, sms, balance: round2(acct.balance) });
      }

      return answer(err(211, "Метод не найден"));
    });
  },
};

export default smsru;
