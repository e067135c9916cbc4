// The one classification of provider failures (lib/providers/errors.ts): every kind from the
// transports we meet (lib/http's HttpError, fetch/undici, AbortSignal, Node's errno codes, SDK
// errors with a status) and from non-2xx answers; and every client's error class is a ProviderError.
import { describe, expect, it } from "vitest";
import { HttpError, type HttpResponse } from "@/lib/http";
import { classifyFailure, failureOfStatus, PaymentProviderError, ProviderError, SendError } from "@/lib/providers/errors";
import { SendError as SendErrorFromTypes, PaymentProviderError as PaymentErrorFromTypes } from "@/lib/providers/types";
import { GoogleCalendarError } from "@/lib/providers/google-calendar/client";
import { RingCentralError } from "@/lib/providers/ringcentral/client";
import { ZoomError } from "@/lib/providers/zoom/client";
import { SmsRuError } from "@/lib/providers/smsru/client";
import { TelegramError } from "@/lib/providers/telegram/client";
import { SuiteDashError } from "@/lib/providers/suitedash/client";
import { ODataError } from "@/lib/providers/onec/client";
import { FcmAuthError } from "@/lib/providers/fcm/client";
import { SmtpSetupError } from "@/lib/providers/smtp/client";

function answer(status: number, headers: Record<string, string> = {}, text = ""): HttpResponse {
  return { status, ok: status < 300, headers: new Headers(headers), text, durationMs: 1, attempts: 1, json: () => JSON.parse(text) };
}
const name = "Acme";

describe("classifyFailure: thrown transport failures", () => {
  it("lib/http's HttpError: timeout, cancelled, network (a refused address is marked)", () => {
    expect(classifyFailure(new HttpError("timeout", "timed out after 10000 ms", 3), { name })).toMatchObject({
      failure: "timeout",
      retryable: true,
      status: null,
      message: "Acme did not answer in time",
    });
    expect(classifyFailure(new HttpError("aborted", "The call was cancelled", 1), { name })).toMatchObject({
      failure: "cancelled",
      message: "The call to Acme was cancelled",
    });
    const refused = classifyFailure(new HttpError("network", "address 169.254.169.254 is not allowed", 1, true), { name });
    expect(refused).toMatchObject({ failure: "network", refused: true, message: "Could not reach Acme: address 169.254.169.254 is not allowed" });
  });

  it("fetch/undici: 'fetch failed' is explained by its cause; an aborted fetch and AbortSignal.timeout's reason", async () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    const failed = new TypeError("fetch failed", { cause });
    expect(classifyFailure(failed, { name })).toMatchObject({
      failure: "network",
      retryable: true,
      detail: "fetch failed: connect ECONNREFUSED 127.0.0.1:9",
      message: "Could not reach Acme: fetch failed: connect ECONNREFUSED 127.0.0.1:9",
    });
    const undiciTimeout = new TypeError("fetch failed", { cause: Object.assign(new Error("Connect Timeout Error"), { code: "UND_ERR_CONNECT_TIMEOUT" }) });
    expect(classifyFailure(undiciTimeout, { name }).failure).toBe("timeout");

    // what fetch rejects with when its signal fires: AbortSignal.timeout() and AbortController.abort()
    const ac = new AbortController();
    ac.abort();
    const aborted = await fetch("http://127.0.0.1:9", { signal: ac.signal }).then(() => null, (e: unknown) => e);
    expect(classifyFailure(aborted, { name })).toMatchObject({ failure: "cancelled", message: "The call to Acme was cancelled" });
    const timeout = AbortSignal.timeout(1);
    await new Promise((r) => timeout.addEventListener("abort", r));
    expect(classifyFailure(timeout.reason, { name })).toMatchObject({ failure: "timeout", message: "Acme did not answer in time" });
  });

  it("an SDK's error that wraps lib/http's HttpError as its cause (gaxios) is read as that HttpError", () => {
    const inner = new HttpError("timeout", "google-calendar.events.list: no answer within 3000 ms", 3);
    expect(classifyFailure(new Error("request failed", { cause: inner }), { name })).toMatchObject({
      failure: "timeout",
      status: null,
      detail: "google-calendar.events.list: no answer within 3000 ms",
      message: "Acme did not answer in time",
    });
    const refused = new HttpError("network", "x.get: network error: ECONNREFUSED", 1);
    expect(classifyFailure(new Error("outer", { cause: new Error("middle", { cause: refused }) }), { name }).message).toBe("Could not reach Acme: x.get: network error: ECONNREFUSED");
  });

  it("a name said mid-sentence ('the endpoint') starts a sentence with a capital", () => {
    expect(classifyFailure(new HttpError("timeout", "t", 1), { name: "the endpoint" }).message).toBe("The endpoint did not answer in time");
    expect(classifyFailure(new HttpError("network", "webhook.ping: network error: ECONNREFUSED", 1), { name: "the endpoint" }).message).toBe(
      "Could not reach the endpoint: webhook.ping: network error: ECONNREFUSED",
    );
    expect(classifyFailure(answer(503), { name: "the endpoint" }).message).toBe("The endpoint had a server error (HTTP 503)");
  });

  it("Node's errno codes (nodemailer, raw sockets): ETIMEDOUT is a timeout, ECONNRESET a network failure", () => {
    expect(classifyFailure(Object.assign(new Error("Connection timeout"), { code: "ETIMEDOUT" }), { name }).failure).toBe("timeout");
    expect(classifyFailure(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), { name }).failure).toBe("network");
  });

  it("SDK errors carrying a status: statusCode (Stripe), status (Twilio, gaxios), response.status, SendGrid's numeric code; Retry-After from their headers", () => {
    const stripeLike = Object.assign(new Error("Too many requests"), { statusCode: 429, headers: { "retry-after": "2" } });
    expect(classifyFailure(stripeLike, { name })).toMatchObject({ failure: "rate_limited", retryable: true, status: 429, retryAfterSeconds: 2 });
    expect(classifyFailure(Object.assign(new Error("Authenticate"), { status: 401 }), { name })).toMatchObject({ failure: "auth", retryable: false, status: 401 });
    const gaxiosLike = Object.assign(new Error("Not Found"), { response: { status: 404, headers: new Headers() } });
    expect(classifyFailure(gaxiosLike, { name })).toMatchObject({ failure: "not_found", retryable: false, status: 404 });
    const sendgridLike = Object.assign(new Error("Bad Request"), { code: 400, response: { headers: {}, body: {} } });
    expect(classifyFailure(sendgridLike, { name })).toMatchObject({ failure: "invalid_request", retryable: false, status: 400 });
  });

  it("anything else is unknown, with its words; secrets are scrubbed from every message", () => {
    const c = classifyFailure(new Error("boom with sk_live_abcdef123456 inside"), { name, secrets: ["sk_live_abcdef123456"] });
    expect(c.failure).toBe("unknown");
    expect(c.message).toBe("The call to Acme failed: boom with [REDACTED] inside");
    expect(c.message).not.toContain("sk_live_abcdef123456");
    const net = classifyFailure(new HttpError("network", "GET https://x/?key=tok_secret_9876: ECONNREFUSED", 1), { name, secrets: ["tok_secret_9876"] });
    expect(net.message).not.toContain("tok_secret_9876");
    expect(classifyFailure("a string", { name })).toMatchObject({ failure: "unknown", detail: "a string" });
  });
});

describe("classifyFailure: non-2xx answers", () => {
  it.each([
    [400, "invalid_request", false],
    [401, "auth", false],
    [403, "auth", false],
    [404, "not_found", false],
    [408, "timeout", true],
    [409, "invalid_request", false],
    [410, "not_found", false],
    [422, "invalid_request", false],
    [429, "rate_limited", true],
    [500, "provider", true],
    [502, "provider", true],
    [503, "provider", true],
  ] as const)("HTTP %i is %s (retryable: %s)", (status, failure, retryable) => {
    const c = classifyFailure(answer(status), { name });
    expect(c).toMatchObject({ failure, retryable, status });
    expect(failureOfStatus(status)).toBe(failure);
    expect(c.message).toMatch(/^Acme /);
  });

  it("Retry-After: delta-seconds and an HTTP date, rounded up to whole seconds", () => {
    expect(classifyFailure(answer(429, { "retry-after": "1.2" }), { name })).toMatchObject({ retryAfterMs: 1200, retryAfterSeconds: 2, message: "Acme is rate limiting this account (429): retry in 2 s" });
    const at = new Date(Date.now() + 30_000).toUTCString();
    const c = classifyFailure(answer(503, { "retry-after": at }), { name });
    expect(c.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect(c.retryAfterSeconds).toBeLessThanOrEqual(31);
    expect(classifyFailure(answer(429), { name }).retryAfterSeconds).toBeUndefined();
  });

  it("the provider's code beside the status and the call after it; Retry-After last", () => {
    const opts = { name: "Google Calendar", providerCode: "backendError", during: "on events.list" };
    expect(classifyFailure(answer(503), opts).message).toBe("Google Calendar had a server error (HTTP 503, backendError) on events.list");
    expect(classifyFailure(answer(429, { "retry-after": "120" }), { ...opts, providerCode: "rateLimitExceeded" })).toMatchObject({
      retryAfterSeconds: 120,
      message: "Google Calendar is rate limiting this account (429, rateLimitExceeded) on events.list: retry in 120 s",
    });
    expect(classifyFailure(answer(401), { name, during: "during read Catalog_X" }).message).toBe("Acme rejected the credentials (401) during read Catalog_X");
  });

  it("a fetch Response (what the RingCentral SDK hands back) is read the same way", () => {
    const res = new Response("{}", { status: 429, headers: { "retry-after": "7" } });
    expect(classifyFailure(res, { name })).toMatchObject({ failure: "rate_limited", retryAfterSeconds: 7, status: 429 });
  });

  it("a ProviderError is read back as it is", () => {
    const e = new PaymentProviderError("declined", false, { code: "card_declined", status: 402 });
    expect(classifyFailure(e, { name })).toMatchObject({ failure: "invalid_request", retryable: false, status: 402, message: "declined" });
  });
});

describe("every client's error class is a ProviderError", () => {
  it.each([
    ["SendError (transient, timeout)", new SendError("x", "transient", { code: "timeout" }), { failure: "timeout", retryable: true, providerCode: "timeout" }],
    ["SendError (permanent)", new SendError("x", "permanent", { code: "21211" }), { failure: "invalid_request", retryable: false }],
    ["PaymentProviderError (429)", new PaymentProviderError("x", true, { code: "rate_limit", status: 429, retryAfterSeconds: 3 }), { failure: "rate_limited", retryable: true, status: 429, retryAfterSeconds: 3 }],
    ["ZoomError (404)", new ZoomError("x", { status: 404, code: 3001, transient: false }), { failure: "not_found", retryable: false, providerCode: "3001" }],
    ["RingCentralError (no answer)", new RingCentralError("x", null, { kind: "timeout" }), { failure: "timeout", retryable: true, status: null }],
    ["GoogleCalendarError (403 rate limit)", new GoogleCalendarError("x", 403, "rateLimitExceeded", true, 5, "rate_limited"), { failure: "rate_limited", retryable: true, retryAfterSeconds: 5 }],
    ["SmsRuError (HTTP 503)", new SmsRuError(503, "HTTP 503", 503), { failure: "provider", retryable: true, status: 503 }],
    ["SmsRuError (code 202: the recipient)", new SmsRuError(202, "bad number"), { failure: "invalid_request", retryable: false, status: null }],
    ["TelegramError (429)", new TelegramError(429, "Too Many Requests", 4), { failure: "rate_limited", retryable: true, retryAfterSeconds: 4 }],
    ["SuiteDashError (no answer)", new SuiteDashError("x", 0, undefined, "network"), { failure: "network", retryable: true, status: 0 }],
    ["ODataError (401)", new ODataError("x", "auth", 401), { failure: "auth", retryable: false, status: 401 }],
    ["FcmAuthError (invalid_grant)", new FcmAuthError("x", "invalid_grant", 400), { failure: "auth", retryable: true }],
    ["SmtpSetupError (config)", new SmtpSetupError("x", "config"), { failure: "invalid_request", retryable: true }],
  ] as const)("%s", (_label, e, expected) => {
    expect(e).toBeInstanceOf(ProviderError);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject(expected);
  });

  it("types.ts re-exports the same classes (one definition)", () => {
    expect(SendErrorFromTypes).toBe(SendError);
    expect(PaymentErrorFromTypes).toBe(PaymentProviderError);
  });
});
