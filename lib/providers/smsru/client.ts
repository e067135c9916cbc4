// SMS.ru over plain HTTP (https://sms.ru/api): api_id as a parameter, json=1, and HTTP 200
// even for errors — every answer is branched on status/status_code. The api_id is one of
// ctx.secrets, so lib/http.ts scrubs it from the logged URL and body (by key and by value).
import { HttpError, type HttpResponse } from "@/lib/http";
import { classifyFailure, ProviderError, sendErrorOf } from "@/lib/providers/errors";
import { SendError, type ProviderContext } from "@/lib/providers/types";

export type SmsRuCredentials = { apiId: string };
export type SmsRuConfig = { from?: string; testMode?: boolean; ratePerSecond?: number };
export type SmsRuContext = ProviderContext<SmsRuCredentials, SmsRuConfig>;

/** Request-level and per-number answer: {"status":"OK"|"ERROR","status_code":…,"status_text"?}. */
export type SmsRuStatus = { status: "OK" | "ERROR"; status_code: number; status_text?: string };
export type SendAnswer = SmsRuStatus & { sms?: Record<string, SmsRuStatus & { sms_id?: string }>; balance?: number };
export type StatusAnswer = SmsRuStatus & { sms?: Record<string, SmsRuStatus & { cost?: string | number; sms?: number }>; balance?: number };
export type BalanceAnswer = SmsRuStatus & { balance?: number | string };

/** A failed SMS.ru call: the request-level or per-number code, or an HTTP status (not 200). */
export class SmsRuError extends ProviderError {
  constructor(
    public code: number,
    public text: string,
    public httpStatus = 200,
    retryAfterSeconds?: number,
  ) {
    // an HTTP failure's text is already the sentence every provider says (classifyFailure)
    super(httpStatus === 200 ? `SMS.ru ${code}: ${text}` : text, {
      status: httpStatus === 200 ? null : httpStatus,
      // an HTTP failure is SMS.ru's side; a code is permanent when it is the recipient's or the text's fault
      retryable: httpStatus !== 200 || !PERMANENT.has(code),
      failure: httpStatus !== 200 ? undefined : code === 0 ? "invalid_response" : PERMANENT.has(code) ? "invalid_request" : "provider",
      providerCode: code,
      retryAfterSeconds,
    });
    this.name = "SmsRuError";
  }
}

/**
 * Error codes. 100 (OK), the 2xx error shape, 103 and 104 are in our reference; the other
 * meanings are from SMS.ru's published code list and are UNCONFIRMED here.
 */
export const ERROR_TEXT: Record<number, string> = {
  200: "SMS.ru rejected the api_id",
  201: "The SMS.ru account has not enough money",
  202: "The recipient's number is invalid or has no route", // UNCONFIRMED wording
  203: "The message text is empty", // UNCONFIRMED
  204: "The sender name is not approved by SMS.ru", // UNCONFIRMED
  205: "The message is too long (more than 8 SMS)", // UNCONFIRMED
  206: "The daily sending limit is reached", // UNCONFIRMED
  207: "There is no route to deliver messages to this number", // UNCONFIRMED
  209: "The number is in the account's stop list", // UNCONFIRMED
  220: "SMS.ru is temporarily unavailable", // UNCONFIRMED
  230: "The daily limit of messages to this number is reached", // UNCONFIRMED
  231: "The limit of identical messages to this number per minute is reached", // UNCONFIRMED
  232: "The limit of identical messages to this number per day is reached", // UNCONFIRMED
  300: "SMS.ru rejected the token", // UNCONFIRMED
  301: "SMS.ru rejected the api_id or login/password", // UNCONFIRMED
  302: "The SMS.ru account is not confirmed", // UNCONFIRMED
};

/** The recipient's or the message's fault: fail at once. Everything else is retried/falls back. */
const PERMANENT = new Set([202, 203, 205, 207, 209]);

/** Delivery status codes of /sms/status: 103 and 104 from the reference, the rest UNCONFIRMED. */
export const STATUS_TEXT: Record<number, string> = {
  [-1]: "Message not found",
  100: "Queued at SMS.ru",
  101: "Being handed to the operator",
  102: "Sent, in transit",
  103: "Delivered",
  104: "Not delivered: lifetime expired",
  105: "Not delivered: deleted by the operator",
  106: "Not delivered: phone failure",
  107: "Not delivered: unknown reason",
  108: "Not delivered: rejected",
  110: "Read (Viber)",
  150: "Not delivered: no route to this number",
};

/** GET (query) or POST (form) to an SMS.ru method; answers the parsed JSON or throws SmsRuError/HttpError. */
export async function callSmsRu<T extends SmsRuStatus>(
  ctx: SmsRuContext,
  action: string,
  path: string,
  params: Record<string, string>,
  method: "GET" | "POST" = "GET",
): Promise<T> {
  const all = new URLSearchParams({ api_id: ctx.credentials.apiId, ...params, json: "1" });
  const base = `${ctx.baseUrl.replace(/\/$/, "")}${path}`;
  const res: HttpResponse =
    method === "GET" ? await ctx.call(action, { method, url: `${base}?${all}` }) : await ctx.call(action, { method, url: base, body: all });
  if (res.status !== 200) {
    const c = classifyFailure(res, { name: "SMS.ru" });
    throw new SmsRuError(res.status, c.message, res.status, c.retryAfterSeconds);
  }
  let body: T;
  try {
    body = res.json<T>();
  } catch {
    throw new SmsRuError(0, "the answer is not JSON", res.status);
  }
  if (!body || typeof body !== "object" || typeof body.status_code !== "number") throw new SmsRuError(0, "unexpected answer", res.status);
  if (body.status !== "OK") throw new SmsRuError(body.status_code, body.status_text ?? ERROR_TEXT[body.status_code] ?? "error");
  return body;
}

/** A failed send as a SendError: permanent for the recipient's/message's fault, transient otherwise. */
export function toSendError(e: unknown): SendError {
  if (e instanceof SendError) return e;
  if (e instanceof SmsRuError) {
    if (e.httpStatus !== 200) return sendErrorOf(e, { name: "SMS.ru", code: `http_${e.httpStatus}` });
    const sentence = ERROR_TEXT[e.code] ?? `SMS.ru error ${e.code}: ${e.text}`;
    return new SendError(`${sentence} (SMS.ru ${e.code})`, e.retryable ? "transient" : "permanent", { code: `smsru_${e.code}`, failure: e.failure });
  }
  return sendErrorOf(e, { name: "SMS.ru" });
}

/** A sentence for a person about why a (non-send) call failed. */
export function explain(e: unknown): string {
  if (e instanceof SmsRuError) {
    if (e.httpStatus !== 200) return e.message;
    if (e.code === 200 || e.code === 301) return `SMS.ru rejected the api_id (error ${e.code}): copy it again from sms.ru → API`;
    return `${ERROR_TEXT[e.code] ?? `SMS.ru error ${e.code}: ${e.text}`} (SMS.ru ${e.code})`;
  }
  if (e instanceof HttpError) return classifyFailure(e, { name: "SMS.ru" }).message;
  return (e as Error)?.message ?? String(e);
}

/** "0.50" roubles → micros. */
export function rubMicros(cost: string | number | undefined | null): number | null {
  if (cost === undefined || cost === null || cost === "") return null;
  const n = Number(cost);
  return Number.isFinite(n) ? Math.round(n * 1e6) : null;
}
