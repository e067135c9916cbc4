// SMS.ru: SMS for Russian and Belarusian numbers over SMS.ru's plain HTTP API
// (lib/providers/smsru/client.ts). No webhook: SMS.ru's delivery callbacks are UNCONFIRMED
// (our reference could not check their format or signing), so delivery is tracked by polling
// GET /sms/status through messaging.fetchStatus. Test connection = GET /my/balance.
import { z } from "zod";
import { defineProvider, SendError, type SendResult, type StatusUpdate } from "@/lib/providers/types";
import { demo } from "./demo";
import {
  callSmsRu,
  explain,
  rubMicros,
  SmsRuError,
  STATUS_TEXT,
  toSendError,
  type BalanceAnswer,
  type SendAnswer,
  type SmsRuContext,
  type StatusAnswer,
} from "@/lib/providers/smsru/client";

const credentials = z.strictObject({
  apiId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{8,64}$/, "The api_id from sms.ru → API (letters, digits and dashes)")
    .meta({ title: "API key (api_id)", secret: true, description: "sms.ru → Programmers → API: your api_id" }),
});

const config = z.strictObject({
  from: z
    .string()
    .trim()
    // UNCONFIRMED: SMS.ru approves sender names individually; 11 Latin characters is the usual alpha-sender limit
    .regex(/^([A-Za-z0-9 ._-]{1,11}|\d{1,15})$/, "Up to 11 Latin letters, digits, space, dot, dash or underscore")
    .optional()
    .meta({ title: "Sender name", description: "Approved by SMS.ru for your account; empty = SMS.ru's default sender" }),
  testMode: z
    .boolean()
    .default(false)
    .meta({ title: "Test mode", description: "SMS.ru checks each request but does not deliver or charge for it" }),
  ratePerSecond: z
    .number()
    .int()
    .min(0)
    .max(100000)
    .optional()
    .meta({
      title: "Sends per second",
      // UNCONFIRMED: SMS.ru publishes no per-second limit we could check
      description: "0 = no limit. Default 10: SMS.ru publishes no per-second limit, so this is a safe pace",
    }),
});

const BATCH = 100;

/** SMS.ru's delivery code → our status; null for codes that say nothing (-1 not found). */
function mapCode(code: number): StatusUpdate["status"] | null {
  if (code === 103 || code === 110) return "delivered"; // 110 "read" (Viber) UNCONFIRMED
  if ([104, 105, 106, 107, 108, 150].includes(code)) return "undelivered"; // beyond 104 UNCONFIRMED
  if (code === 100 || code === 101 || code === 102) return "sent";
  return null;
}

export default defineProvider({
  id: "smsru",
  name: "SMS.ru",
  category: "sms",
  description:
    "SMS through SMS.ru (Russia and Belarus), delivery tracked by polling. Sends up to 10 messages a second by default.",
  docsUrl: "https://sms.ru/api",
  capabilities: ["sms.send"],
  credentials,
  config,
  auth: { type: "api_key" },
  defaultEndpoints: { live: "https://sms.ru", sandbox: "/smsru" },

  async testConnection(ctx) {
    try {
      const b = await callSmsRu<BalanceAnswer>(ctx as SmsRuContext, "smsru.balance", "/my/balance", {});
      const balance = Number(b.balance);
      if (!Number.isFinite(balance)) return { ok: false, message: "SMS.ru answered without a balance" };
      return {
        ok: true,
        message: `Connected: balance ${balance.toFixed(2)} RUB`,
        details: { balance, currency: "RUB" },
        state: { balance, currency: "RUB", balanceAt: new Date().toISOString() },
      };
    } catch (e) {
      return { ok: false, message: explain(e) };
    }
  },

  messaging: {
    channels: ["sms"],
    // UNCONFIRMED: SMS.ru publishes no per-second limit we could check
    defaultRatePerSecond: 10,

    async send(ctx, msg): Promise<SendResult> {
      if (msg.channel !== "sms") throw new SendError(`SMS.ru does not send ${msg.channel} messages`, "permanent", { code: "unsupported_channel" });
      const to = msg.to.replace(/\D/g, "");
      const params: Record<string, string> = { to, msg: msg.text };
      if (ctx.config.from) params.from = ctx.config.from;
      if (ctx.config.testMode) params.test = "1";
      try {
        const answer = await callSmsRu<SendAnswer>(ctx as SmsRuContext, "smsru.send", "/sms/send", params, "POST");
        const one = answer.sms?.[to];
        if (!one) throw new SmsRuError(0, "the answer does not mention the recipient");
        if (one.status !== "OK" || !one.sms_id) throw new SmsRuError(one.status_code, one.status_text ?? "error");
        return { providerMessageId: one.sms_id, status: "sent", providerStatus: String(one.status_code) };
      } catch (e) {
        throw toSendError(e);
      }
    },

    async fetchStatus(ctx, ids): Promise<StatusUpdate[]> {
      const out: StatusUpdate[] = [];
      for (let i = 0; i < ids.length; i += BATCH) {
        const chunk = ids.slice(i, i + BATCH);
        let answer: StatusAnswer;
        try {
          answer = await callSmsRu<StatusAnswer>(ctx as SmsRuContext, "smsru.status", "/sms/status", { sms_id: chunk.join(",") });
        } catch (e) {
          throw new Error(explain(e), { cause: e });
        }
        const at = new Date().toISOString();
        for (const id of chunk) {
          const s = answer.sms?.[id];
          if (!s) continue;
          const status = mapCode(s.status_code);
          if (!status) continue;
          const micros = rubMicros(s.cost);
          out.push({
            providerMessageId: id,
            status,
            event: String(s.status_code),
            at,
            errorCode: status === "undelivered" ? String(s.status_code) : null,
            error: status === "undelivered" ? (STATUS_TEXT[s.status_code] ?? s.status_text ?? null) : null,
            ...(micros !== null ? { costMicros: micros, costCurrency: "RUB" } : {}),
          });
        }
      }
      return out;
    },
  },
  sandbox: () => import("./sandbox"),
  demo,
});
