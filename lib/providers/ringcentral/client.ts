// RingCentral REST through the official @ringcentral/sdk (5.0.11), with three things changed
// from its defaults (read in node_modules/@ringcentral/sdk/src):
//
//  - HTTP: the SDK takes its fetch from `externals` (Client._loadResponse calls
//    externals.fetch(request)), so every request goes through ctx.fetch(action) → lib/http.ts:
//    our timeout, one integration_logs row per attempt, Authorization redacted. The SDK hands
//    fetch a Request object; providerFetch reads the body only from `init`, so a small adapter
//    turns the Request into (url, init) first.
//  - Tokens: the SDK refreshes by itself (Platform.inflateRequest → ensureLoggedIn → refresh(),
//    and cancelAccessToken + retry on a 401). lib/oauth owns refreshing, under a database lock,
//    with rotating refresh tokens: two refreshers would burn the token. So ensureLoggedIn is a
//    no-op, refresh() throws, and every send passes `retry: true`, which makes the SDK rethrow
//    401 and 429 instead of retrying. The bearer comes from ctx.accessToken() and is put in with
//    auth().setData(); after a 401 we ask ctx.accessToken({ force: true }) and try once more.
//  - Storage: the SDK's default localStorage is ONE process-wide dom-storage under the prefix
//    "rc-": two integrations would share (and overwrite) each other's token. Each SDK instance
//    gets a Map-backed storage of its own and lives for one call.
//
// Errors come back in RingCentral's shape {"errorCode","message","errors":[…]} (OAuth errors as
// {"error","error_description"}); they become RingCentralError with the status, the code and,
// for 429, Retry-After. 429 is retried when the wait is short (the request was not processed);
// 5xx, timeouts and network errors only for calls that are safe to repeat (GET/PUT/DELETE):
// a RingOut or an SMS posted twice would ring or text twice.
import { SDK, type SendOptions } from "@ringcentral/sdk";
import { z } from "zod";
import { HttpError } from "@/lib/http";
import { classifyFailure, ProviderError, type ProviderFailure } from "@/lib/providers/errors";
import { OAuthReconnectError, type ProviderContext } from "@/lib/providers/types";

export type RingCentralCredentials = { clientId: string; clientSecret: string; verificationToken?: string };
export type RingCentralConfig = {
  fromNumber?: string;
  playPrompt?: boolean;
  callLogFrom?: string;
  callLogLevel?: "extension" | "account";
  callLogOverlapMinutes?: number;
  subscriptionTtlSeconds?: number;
  ratePerSecond?: number;
};
export type RingCentralContext = ProviderContext<RingCentralCredentials, RingCentralConfig>;

export const LIVE_SERVER = "https://platform.ringcentral.com";
/** RingCentral's own developer sandbox (deprecated by RingCentral, still answering) */
export const DEVTEST_SERVER = "https://platform.devtest.ringcentral.com";
const EXT = "/restapi/v1.0/account/~/extension/~";

// ───────────── errors ─────────────

export class RingCentralError extends ProviderError {
  constructor(
    message: string,
    /** HTTP status, null when no answer came (timeout, network) */
    public status: number | null,
    public opts: {
      errorCode?: string;
      /** the request field RingCentral named (errors[].parameterName), e.g. "to.phoneNumber" */
      parameter?: string;
      retryAfterSeconds?: number;
      kind: "api" | "timeout" | "network" | "aborted" | "invalid_response";
      /** the classification (lib/providers/errors.ts), when not derived from status and kind */
      failure?: ProviderFailure;
    } = { kind: "api" },
  ) {
    super(message, {
      retryable: status === null || status === 429 || status >= 500 || opts.kind === "invalid_response",
      status,
      providerCode: opts.errorCode,
      retryAfterSeconds: opts.retryAfterSeconds,
      failure: opts.failure ?? (opts.kind === "aborted" ? "cancelled" : opts.kind === "api" ? undefined : opts.kind),
    });
    this.name = "RingCentralError";
  }
  /** worth trying again later: the provider's side, not the request */
  get transient() {
    return this.status === null || this.status === 429 || this.status >= 500 || this.opts.kind === "invalid_response";
  }
}

const errorBody = z
  .object({
    errorCode: z.string().optional(),
    message: z.string().optional(),
    errors: z.array(z.object({ errorCode: z.string().optional(), message: z.string().optional(), parameterName: z.string().optional() }).loose()).optional(),
    error: z.string().optional(),
    error_description: z.string().optional(),
  })
  .loose();

/** RingCentralError from an answer the SDK refused (non-2xx). */
async function fromResponse(res: Response): Promise<RingCentralError> {
  let body: z.output<typeof errorBody> = {};
  try {
    const parsed = errorBody.safeParse(JSON.parse(await res.clone().text()));
    if (parsed.success) body = parsed.data;
  } catch {
    /* not JSON: the status says enough */
  }
  const first = body.errors?.[0];
  const code = first?.errorCode ?? body.errorCode ?? body.error;
  const detail = first?.message ?? body.message ?? body.error_description;
  const c = classifyFailure(res, { name: "RingCentral" });
  const retryAfterSeconds = c.failure === "rate_limited" ? Math.max(1, c.retryAfterSeconds ?? 60) : undefined;
  let message: string;
  if (res.status === 401) message = `RingCentral refused the access token (401${code ? `, ${code}` : ""})${detail ? `: ${detail}` : ""}`;
  else if (res.status === 403) message = `RingCentral does not allow this for the connected user (403${code ? `, ${code}` : ""})${detail ? `: ${detail}` : ""}: check the app's permissions and the user's role`;
  else if (res.status === 429) message = `RingCentral is rate limiting this app (429${code ? `, ${code}` : ""}): retry in ${retryAfterSeconds} s`;
  else if (res.status >= 500) message = `RingCentral had a server error (HTTP ${res.status}${code ? `, ${code}` : ""})${detail ? `: ${detail}` : ""}`;
  else message = `RingCentral refused the request (HTTP ${res.status}${code ? `, ${code}` : ""})${detail ? `: ${detail}` : ""}`;
  return new RingCentralError(message, res.status, { kind: "api", failure: c.failure, errorCode: code, parameter: first?.parameterName, retryAfterSeconds });
}

/** RingCentralError from a call that got no answer (timeout, refused, cancelled …): classifyFailure's verdict. */
export function fromTransport(e: unknown): RingCentralError {
  const c = classifyFailure(e, { name: "RingCentral" });
  const kind = c.failure === "timeout" ? "timeout" : c.failure === "cancelled" ? "aborted" : "network";
  return new RingCentralError(c.message, null, { kind, failure: c.failure });
}

/** One sentence for a person about any failure of a RingCentral call. */
export function explain(e: unknown): string {
  if (e instanceof RingCentralError || e instanceof OAuthReconnectError) return e.message;
  if (e instanceof HttpError) return fromTransport(e).message;
  return (e as Error)?.message ?? String(e);
}

// ───────────── the SDK, wired to our HTTP path ─────────────

/** A per-instance stand-in for window.localStorage (the SDK's Cache also calls keys()). */
class MemoryStorage {
  private m = new Map<string, string>();
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, String(v));
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  keys() {
    return [...this.m.keys()];
  }
}

function loggedFetch(ctx: RingCentralContext, action: string): typeof fetch {
  const logged = ctx.fetch(action);
  return async (input, init) => {
    if (!(input instanceof Request)) return logged(input, init);
    const method = input.method.toUpperCase();
    const body = method === "GET" || method === "HEAD" ? undefined : await input.text();
    return logged(input.url, { method, headers: input.headers, body: body || undefined, signal: init?.signal ?? ctx.signal });
  };
}

/** An SDK instance for one call: our fetch, its own storage, no refreshing of its own. */
export function ringCentralSdk(ctx: RingCentralContext, action: string): SDK {
  const sdk = new SDK({
    server: ctx.baseUrl.replace(/\/$/, ""),
    clientId: ctx.credentials.clientId,
    clientSecret: ctx.credentials.clientSecret,
    enableDiscovery: false,
    appName: "Switchboard",
    fetch: loggedFetch(ctx, action),
    Request: globalThis.Request,
    Response: globalThis.Response,
    Headers: globalThis.Headers,
    localStorage: new MemoryStorage() as unknown as Storage,
  });
  const platform = sdk.platform();
  // lib/oauth refreshes (one process at a time, rotating refresh tokens): never the SDK
  platform.ensureLoggedIn = async () => null;
  platform.refresh = async () => {
    throw new Error("Token refresh is done by lib/oauth, not by the RingCentral SDK");
  };
  return sdk;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const cancelled = () => new RingCentralError("The call to RingCentral was cancelled", null, { kind: "aborted" });
    if (signal?.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(t);
      reject(cancelled());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

export type RcRequest = {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: Record<string, unknown>;
  /** how long a 429's Retry-After may be waited for here (default 5 s); longer ones are thrown */
  maxRetryAfterSeconds?: number;
  /** retries of 5xx/timeouts for calls safe to repeat (default 2; POSTs only when `idempotent`) */
  retries?: number;
  /** a POST whose repetition changes nothing (subscription renewal) */
  idempotent?: boolean;
  /** use this bearer instead of ctx.accessToken() (the connect flow, before the token is stored); no refresh on 401 */
  token?: string;
};

/**
 * One RingCentral API call with the integration's bearer: JSON in, the answer's JSON out (null
 * for 204). Throws RingCentralError, or OAuthReconnectError when a person must connect again.
 */
export async function rcRequest<T = unknown>(ctx: RingCentralContext, action: string, req: RcRequest): Promise<T> {
  const repeatable = req.method !== "POST" || req.idempotent === true;
  const retries = repeatable ? (req.retries ?? 2) : 0;
  const maxWait = req.maxRetryAfterSeconds ?? 5;
  const query = req.query ? Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== undefined && v !== "")) : undefined;
  let token = req.token ?? (await ctx.accessToken());
  let refreshed = req.token !== undefined;
  let retried = 0;
  for (;;) {
    const platform = ringCentralSdk(ctx, action).platform();
    // token_type as RingCentral writes it; the expiry is lib/oauth's business (nothing here refreshes)
    await platform.auth().setData({ access_token: token, token_type: "bearer", expires_in: "3600" });
    const opts: SendOptions = { method: req.method, url: req.path, query, body: req.body, retry: true };
    try {
      const res = await platform.send(opts);
      if (res.status === 204) return null as T;
      const text = await res.text();
      if (!text) return null as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new RingCentralError(`RingCentral answered ${req.method} ${req.path} with something that is not JSON`, res.status, { kind: "invalid_response" });
      }
    } catch (e) {
      if (e instanceof RingCentralError || e instanceof OAuthReconnectError) throw e;
      const res = (e as { response?: Response | null }).response;
      if (!res) {
        const err = fromTransport(e);
        if (err.opts.kind !== "aborted" && repeatable && retried < retries) {
          retried++;
          await sleep(250 * 2 ** (retried - 1), ctx.signal);
          continue;
        }
        throw err;
      }
      const err = await fromResponse(res);
      if (res.status === 401 && !refreshed) {
        // the token may have been revoked or expired early: one forced refresh, one more try
        refreshed = true;
        token = await ctx.accessToken({ force: true });
        continue;
      }
      if (res.status === 429 && retried < Math.max(retries, 1) && (err.opts.retryAfterSeconds ?? 60) <= maxWait) {
        // a 429 is refused before any work is done: repeating it is safe for any method
        retried++;
        await sleep((err.opts.retryAfterSeconds ?? 1) * 1000, ctx.signal);
        continue;
      }
      if (res.status >= 500 && repeatable && retried < retries) {
        retried++;
        await sleep(250 * 2 ** (retried - 1), ctx.signal);
        continue;
      }
      throw err;
    }
  }
}

/** Parses a provider answer we depend on; a different shape is a RingCentralError (not a crash). */
function shape<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new RingCentralError(`RingCentral's ${what} answer has an unexpected shape: ${r.error.issues[0]?.message ?? "invalid"}`, 200, { kind: "invalid_response" });
  }
  return r.data;
}

// ───────────── resources ─────────────

const party = z.object({ phoneNumber: z.string().optional(), name: z.string().optional(), extensionNumber: z.string().optional(), location: z.string().optional() }).loose();

export const extensionInfo = z
  .object({
    id: z.union([z.number(), z.string()]).transform(String),
    extensionNumber: z.string().optional(),
    name: z.string().optional(),
    status: z.string().optional(),
    contact: z.object({ email: z.string().optional(), firstName: z.string().optional(), lastName: z.string().optional() }).loose().optional(),
    account: z.object({ id: z.union([z.number(), z.string()]).transform(String).optional() }).loose().optional(),
  })
  .loose();
export type ExtensionInfo = z.output<typeof extensionInfo>;

export async function getExtension(ctx: RingCentralContext, token?: string): Promise<ExtensionInfo> {
  return shape(extensionInfo, await rcRequest(ctx, "ringcentral.extension.get", { method: "GET", path: EXT, token }), "extension");
}

export const RINGOUT_STATUSES = [
  "Invalid", "Success", "InProgress", "Busy", "NoAnswer", "Rejected", "GenericError", "Finished",
  "InternationalDisabled", "DestinationBlocked", "NotEnoughFunds", "NoSuchUser",
] as const;

export const ringOut = z
  .object({
    id: z.union([z.number(), z.string()]).transform(String),
    uri: z.string().optional(),
    status: z
      .object({ callStatus: z.string(), callerStatus: z.string().optional(), calleeStatus: z.string().optional() })
      .loose(),
  })
  .loose();
export type RingOut = z.output<typeof ringOut>;

/** RingOut: RingCentral calls `from` first (the dispatcher's phone), then connects `to`. */
export async function createRingOut(ctx: RingCentralContext, input: { from: string; to: string; playPrompt?: boolean; callerId?: string }): Promise<RingOut> {
  const body: Record<string, unknown> = { from: { phoneNumber: input.from }, to: { phoneNumber: input.to } };
  if (input.callerId) body.callerId = { phoneNumber: input.callerId };
  if (input.playPrompt !== undefined) body.playPrompt = input.playPrompt;
  return shape(ringOut, await rcRequest(ctx, "ringcentral.ringout.create", { method: "POST", path: `${EXT}/ring-out`, body }), "RingOut");
}

export async function getRingOut(ctx: RingCentralContext, id: string): Promise<RingOut> {
  return shape(ringOut, await rcRequest(ctx, "ringcentral.ringout.get", { method: "GET", path: `${EXT}/ring-out/${encodeURIComponent(id)}` }), "RingOut status");
}

export const smsMessage = z
  .object({
    id: z.union([z.number(), z.string()]).transform(String),
    type: z.string().optional(),
    direction: z.string().optional(),
    messageStatus: z.string(),
    lastModifiedTime: z.string().optional(),
    creationTime: z.string().optional(),
    deliveryErrorCode: z.string().optional(),
    smsDeliveryTime: z.string().optional(),
  })
  .loose();
export type SmsMessage = z.output<typeof smsMessage>;

export async function sendSms(ctx: RingCentralContext, input: { from: string; to: string; text: string }): Promise<SmsMessage> {
  const body = { from: { phoneNumber: input.from }, to: [{ phoneNumber: input.to }], text: input.text };
  return shape(smsMessage, await rcRequest(ctx, "ringcentral.sms.send", { method: "POST", path: `${EXT}/sms`, body }), "SMS");
}

export async function getMessage(ctx: RingCentralContext, id: string): Promise<SmsMessage> {
  return shape(smsMessage, await rcRequest(ctx, "ringcentral.message.get", { method: "GET", path: `${EXT}/message-store/${encodeURIComponent(id)}` }), "message");
}

export const callLogRecord = z
  .object({
    id: z.union([z.number(), z.string()]).transform(String),
    sessionId: z.union([z.number(), z.string()]).transform(String).optional(),
    telephonySessionId: z.string().optional(),
    startTime: z.string(),
    duration: z.number().optional(),
    type: z.string().optional(),
    direction: z.string(),
    action: z.string().optional(),
    result: z.string().optional(),
    reason: z.string().optional(),
    from: party.optional(),
    to: party.optional(),
    recording: z.object({ id: z.union([z.number(), z.string()]).optional(), contentUri: z.string().optional(), uri: z.string().optional() }).loose().optional(),
    lastModifiedTime: z.string().optional(),
  })
  .loose();
export type CallLogRecord = z.output<typeof callLogRecord>;

const callLogPage = z
  .object({
    records: z.array(z.unknown()),
    paging: z.object({ page: z.number().optional(), perPage: z.number().optional(), totalPages: z.number().optional() }).loose().optional(),
    navigation: z.object({ nextPage: z.object({ uri: z.string() }).loose().optional() }).loose().optional(),
  })
  .loose();

/**
 * The call log from `dateFrom` (inclusive), newest first as RingCentral returns it, page by
 * page. A record that does not parse is reported, not fatal. Follows the page number while
 * RingCentral announces a next page (navigation.nextPage): its absolute URI is not followed, so
 * a rewritten server (sandbox, proxy) is never left.
 */
export async function* callLogPages(
  ctx: RingCentralContext,
  opts: { dateFrom: Date; dateTo?: Date; perPage?: number; level?: "extension" | "account"; maxRetryAfterSeconds?: number },
): AsyncGenerator<{ page: number; records: CallLogRecord[]; invalid: number }> {
  const path = opts.level === "account" ? "/restapi/v1.0/account/~/call-log" : `${EXT}/call-log`;
  for (let page = 1; ; page++) {
    const raw = shape(
      callLogPage,
      await rcRequest(ctx, "ringcentral.calllog.list", {
        method: "GET",
        path,
        query: {
          view: "Simple",
          dateFrom: opts.dateFrom.toISOString(),
          dateTo: opts.dateTo?.toISOString(),
          page,
          perPage: opts.perPage ?? 250,
        },
        maxRetryAfterSeconds: opts.maxRetryAfterSeconds ?? 60,
      }),
      "call log",
    );
    const records: CallLogRecord[] = [];
    let invalid = 0;
    for (const r of raw.records) {
      const p = callLogRecord.safeParse(r);
      if (p.success) records.push(p.data);
      else invalid++;
    }
    yield { page, records, invalid };
    if (!raw.navigation?.nextPage || raw.records.length === 0) return;
    if (raw.paging?.totalPages && page >= raw.paging.totalPages) return;
  }
}

// ───────────── webhook subscriptions ─────────────

export const subscriptionInfo = z
  .object({
    id: z.string(),
    status: z.string().optional(),
    expirationTime: z.string().optional(),
    expiresIn: z.number().optional(),
    eventFilters: z.array(z.string()).optional(),
    deliveryMode: z.object({ transportType: z.string().optional(), address: z.string().optional() }).loose().optional(),
  })
  .loose();
export type SubscriptionInfo = z.output<typeof subscriptionInfo>;

/** What we subscribe to: the extension's calls and its message store (SMS status changes). */
export const EVENT_FILTERS = [`${EXT}/telephony/sessions`, `${EXT}/message-store`] as const;

export async function createSubscription(
  ctx: RingCentralContext,
  input: { address: string; verificationToken: string; expiresIn: number },
): Promise<SubscriptionInfo> {
  const body = {
    eventFilters: [...EVENT_FILTERS],
    deliveryMode: { transportType: "WebHook", address: input.address, verificationToken: input.verificationToken },
    expiresIn: input.expiresIn,
  };
  // RingCentral validates the address (Validation-Token handshake) before it answers: allow for it
  return shape(subscriptionInfo, await rcRequest(ctx, "ringcentral.subscription.create", { method: "POST", path: "/restapi/v1.0/subscription", body }), "subscription");
}

export async function renewSubscription(ctx: RingCentralContext, id: string): Promise<SubscriptionInfo> {
  // POST …/renew only moves the expiry: repeating it is harmless, so it is retried like a PUT
  return shape(
    subscriptionInfo,
    await rcRequest(ctx, "ringcentral.subscription.renew", { method: "POST", path: `/restapi/v1.0/subscription/${encodeURIComponent(id)}/renew`, idempotent: true }),
    "subscription renewal",
  );
}

export async function getSubscription(ctx: RingCentralContext, id: string): Promise<SubscriptionInfo> {
  return shape(subscriptionInfo, await rcRequest(ctx, "ringcentral.subscription.get", { method: "GET", path: `/restapi/v1.0/subscription/${encodeURIComponent(id)}` }), "subscription");
}

export async function deleteSubscription(ctx: RingCentralContext, id: string): Promise<void> {
  await rcRequest(ctx, "ringcentral.subscription.delete", { method: "DELETE", path: `/restapi/v1.0/subscription/${encodeURIComponent(id)}` });
}
