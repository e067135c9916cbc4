// How each provider proves a webhook is its own (../shared/reference/providers.md), one
// function per scheme. Every function takes the raw body exactly as received and a list of
// secrets (newest first: during a rotation the previous secret is still accepted), and
// answers a verdict with a reason a person can act on. Comparisons are constant-time; where
// the scheme signs a timestamp, old (and far-future) timestamps are refused.
//
// The official SDKs do the cryptography where one exists (stripe, twilio,
// @sendgrid/eventwebhook, standardwebhooks); Zoom, Google, RingCentral, Telegram, YooKassa and
// PayPal have no verifying SDK for Node that we can point at a local server, so those few
// lines live here.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { BlockList, isIP } from "node:net";
import { lookup } from "node:dns/promises";
import Stripe from "stripe";
import twilio from "twilio";
import { EventWebhook } from "@sendgrid/eventwebhook";
import { verifySignature as verifyGeneric, isBase64, type SignatureScheme } from "@/lib/webhooks/signing";
import { env } from "@/lib/env";
import { classifyAddress } from "@/lib/net-guard";

export type InboundRequest = {
  rawBody: string;
  headers: Headers;
  /** the public URL the provider called (Twilio signs it) */
  url: string;
  /** the caller's address as the trusted proxy chain reports it */
  ip: string | null;
};

export type Verdict =
  | { ok: true; scheme: string; note?: string }
  /** retryAfterSeconds: not decided for want of capacity (a rate limit): answered 429, the sender retries */
  | { ok: false; scheme: string; reason: string; retryAfterSeconds?: number };

export const DEFAULT_TOLERANCE_SECONDS = 300;

const pass = (scheme: string, note?: string): Verdict => ({ ok: true, scheme, ...(note ? { note } : {}) });
const fail = (scheme: string, reason: string): Verdict => ({ ok: false, scheme, reason });

/** Constant-time equality of two strings of any length (compares digests, not the strings). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a, "utf8").digest();
  const hb = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** Seconds between a unix timestamp and now, or null when it is not a unix timestamp. */
function ageSeconds(ts: string, now = Date.now()): number | null {
  if (!/^\d{1,12}$/.test(ts.trim())) return null;
  return Math.floor(now / 1000) - Number(ts);
}

function checkAge(scheme: string, ts: string, tolerance: number): Verdict | null {
  const age = ageSeconds(ts);
  if (age === null) return fail(scheme, "the timestamp header is not a unix time");
  if (age > tolerance) return fail(scheme, `the timestamp is ${age} s old (tolerance ${tolerance} s): a stale or replayed request`);
  if (age < -tolerance) return fail(scheme, "the timestamp is in the future beyond the tolerance: check the sender's clock");
  return null;
}

function noSecrets(scheme: string, secrets: readonly string[]): Verdict | null {
  return secrets.length === 0 ? fail(scheme, "no verification secret is configured for this integration") : null;
}

// ───────────── Stripe ─────────────

/** `Stripe-Signature: t=…,v1=…`, hex HMAC-SHA256 of `t.body` keyed with the whole whsec_ string. */
export function verifyStripe(req: InboundRequest, secrets: readonly string[], tolerance = DEFAULT_TOLERANCE_SECONDS): Verdict {
  const scheme = "stripe-signature";
  const header = req.headers.get("stripe-signature");
  if (!header) return fail(scheme, "missing Stripe-Signature header");
  const none = noSecrets(scheme, secrets);
  if (none) return none;
  const t = /(?:^|,)\s*t=([^,]*)/.exec(header)?.[1];
  if (!t || !/(?:^|,)\s*v1=/.test(header)) return fail(scheme, "Stripe-Signature is malformed: expected t=<unix>,v1=<hex>");
  const v1 = [...header.matchAll(/(?:^|,)\s*v1=([^,]*)/g)].map((m) => m[1]);
  if (v1.some((s) => !/^[0-9a-f]{64}$/i.test(s))) return fail(scheme, "Stripe-Signature v1 is not 64 hex characters");
  const stale = checkAge(scheme, t, tolerance);
  if (stale) return stale;
  for (const secret of secrets) {
    try {
      Stripe.webhooks.constructEvent(req.rawBody, header, secret, tolerance);
      return pass(scheme);
    } catch {
      /* try the previous secret */
    }
  }
  return fail(scheme, "signature mismatch: no configured signing secret produces this signature");
}

// ───────────── Twilio ─────────────

/**
 * `X-Twilio-Signature`: base64 HMAC-SHA1 of the full public URL plus the sorted form
 * parameters, keyed with the auth token (a JSON body is covered by the bodySHA256 query
 * parameter instead). No timestamp in this scheme: Twilio's requests cannot be checked for age.
 */
export function verifyTwilio(req: InboundRequest, authTokens: readonly string[]): Verdict {
  const scheme = "twilio-signature";
  const sig = req.headers.get("x-twilio-signature");
  if (!sig) return fail(scheme, "missing X-Twilio-Signature header");
  const none = noSecrets(scheme, authTokens);
  if (none) return none;
  if (!/^[A-Za-z0-9+/]{27}=$/.test(sig)) return fail(scheme, "X-Twilio-Signature is not a base64 HMAC-SHA1");
  const type = req.headers.get("content-type") ?? "";
  const json = !type.includes("application/x-www-form-urlencoded");
  let params: Record<string, string> = {};
  if (!json) params = Object.fromEntries(new URLSearchParams(req.rawBody));
  for (const token of authTokens) {
    const ok = json && new URL(req.url).searchParams.has("bodySHA256")
      ? twilio.validateRequestWithBody(token, sig, req.url, req.rawBody)
      : twilio.validateRequest(token, sig, req.url, params);
    if (ok) return pass(scheme);
  }
  return fail(scheme, "signature mismatch: check the auth token and that the public URL matches the one Twilio called (behind a proxy, set the public base URL in Settings)");
}

// ───────────── SendGrid ─────────────

const SG_SIG = "x-twilio-email-event-webhook-signature";
const SG_TS = "x-twilio-email-event-webhook-timestamp";

/** ECDSA P-256 over `timestamp + body`, verified with the public key from the SendGrid dashboard. */
export function verifySendgrid(req: InboundRequest, publicKeys: readonly string[], tolerance = DEFAULT_TOLERANCE_SECONDS): Verdict {
  const scheme = "sendgrid-ecdsa";
  const sig = req.headers.get(SG_SIG);
  const ts = req.headers.get(SG_TS);
  if (!sig || !ts) return fail(scheme, `missing ${!sig ? "X-Twilio-Email-Event-Webhook-Signature" : "X-Twilio-Email-Event-Webhook-Timestamp"} header`);
  const none = noSecrets(scheme, publicKeys);
  if (none) return none;
  if (!isBase64(sig)) return fail(scheme, "the signature is not base64");
  // the SDK checks no age: we do
  const stale = checkAge(scheme, ts, tolerance);
  if (stale) return stale;
  const ew = new EventWebhook();
  let malformed = false;
  for (const key of publicKeys) {
    try {
      if (ew.verifySignature(ew.convertPublicKeyToECDSA(key), req.rawBody, sig, ts)) return pass(scheme);
    } catch {
      malformed = true; // not DER, or a key that is not an EC public key
    }
  }
  return fail(scheme, malformed ? "the signature is not a DER-encoded ECDSA signature (or the public key is invalid)" : "signature mismatch for the configured public key");
}

// ───────────── Zoom ─────────────

export function zoomSignature(secret: string, ts: string, body: string) {
  return `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;
}

/** `x-zm-signature: v0=<hex HMAC-SHA256(secretToken, "v0:" + ts + ":" + body)>`. */
export function verifyZoom(req: InboundRequest, secretTokens: readonly string[], tolerance = DEFAULT_TOLERANCE_SECONDS): Verdict {
  const scheme = "zoom-signature";
  const sig = req.headers.get("x-zm-signature");
  const ts = req.headers.get("x-zm-request-timestamp");
  if (!sig || !ts) return fail(scheme, `missing ${!sig ? "x-zm-signature" : "x-zm-request-timestamp"} header`);
  const none = noSecrets(scheme, secretTokens);
  if (none) return none;
  if (!/^v0=[0-9a-f]{64}$/i.test(sig)) return fail(scheme, "x-zm-signature is not v0=<64 hex characters>");
  const stale = checkAge(scheme, ts, tolerance);
  if (stale) return stale;
  return secretTokens.some((s) => safeEqual(sig.toLowerCase(), zoomSignature(s, ts, req.rawBody)))
    ? pass(scheme)
    : fail(scheme, "signature mismatch for the configured secret token");
}

/** The answer to Zoom's `endpoint.url_validation` challenge (sent signed like any event). */
export function zoomUrlValidation(plainToken: string, secretToken: string) {
  return { plainToken, encryptedToken: createHmac("sha256", secretToken).update(plainToken).digest("hex") };
}

// ───────────── RingCentral ─────────────

/**
 * Each notification carries `Verification-Token` = the token we gave when subscribing.
 * No signature and no timestamp in this scheme: the token is all RingCentral offers.
 */
export function verifyRingCentral(req: InboundRequest, tokens: readonly string[]): Verdict {
  const scheme = "ringcentral-verification-token";
  const got = req.headers.get("verification-token");
  if (!got) return fail(scheme, "missing Verification-Token header");
  const none = noSecrets(scheme, tokens);
  if (none) return none;
  if (!/^[\x21-\x7e]{1,256}$/.test(got)) return fail(scheme, "Verification-Token has characters a token cannot have");
  return tokens.some((t) => safeEqual(got, t)) ? pass(scheme) : fail(scheme, "Verification-Token does not match the subscription's token");
}

/** The subscription handshake: echo `Validation-Token` in a 200 (within 3 s). */
export function ringCentralHandshake(req: InboundRequest): Response | null {
  const token = req.headers.get("validation-token");
  if (!token) return null;
  return new Response(null, { status: 200, headers: { "Validation-Token": token } });
}

// ───────────── Google push ─────────────

export type GoogleChannel = { id: string; token: string };

/**
 * Calendar push: X-Goog-Channel-ID and X-Goog-Channel-Token must match a channel we created;
 * a notification for a channel past its X-Goog-Channel-Expiration is stale.
 */
export function verifyGooglePush(req: InboundRequest, channels: readonly GoogleChannel[]): Verdict {
  const scheme = "google-channel-token";
  const id = req.headers.get("x-goog-channel-id");
  const token = req.headers.get("x-goog-channel-token");
  if (!id || !token) return fail(scheme, `missing ${!id ? "X-Goog-Channel-ID" : "X-Goog-Channel-Token"} header`);
  if (channels.length === 0) return fail(scheme, "no push channel is open for this integration");
  if (!/^[A-Za-z0-9_\-=+/.:]{1,256}$/.test(token)) return fail(scheme, "X-Goog-Channel-Token has characters a token cannot have");
  const exp = req.headers.get("x-goog-channel-expiration");
  if (exp) {
    const at = Date.parse(exp);
    if (Number.isNaN(at)) return fail(scheme, "X-Goog-Channel-Expiration is not a date");
    if (at < Date.now()) return fail(scheme, "the channel expired: a stale notification");
  }
  let match = false;
  for (const c of channels) if (safeEqual(id, c.id) && safeEqual(token, c.token)) match = true;
  return match ? pass(scheme) : fail(scheme, "unknown channel or wrong channel token");
}

// ───────────── Telegram ─────────────

/** `X-Telegram-Bot-Api-Secret-Token` equals the secret_token given to setWebhook. No timestamp. */
export function verifyTelegram(req: InboundRequest, secrets: readonly string[]): Verdict {
  const scheme = "telegram-secret-token";
  const got = req.headers.get("x-telegram-bot-api-secret-token");
  if (!got) return fail(scheme, "missing X-Telegram-Bot-Api-Secret-Token header");
  const none = noSecrets(scheme, secrets);
  if (none) return none;
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(got)) return fail(scheme, "the secret token has characters Telegram never sends (A-Z a-z 0-9 _ - only)");
  return secrets.some((s) => safeEqual(got, s)) ? pass(scheme) : fail(scheme, "the secret token does not match");
}

// ───────────── YooKassa ─────────────

/** YooKassa's published notification sources (configurable: YOOKASSA_ALLOWED_IPS). */
export const YOOKASSA_IPS = [
  "185.71.76.0/27",
  "185.71.77.0/27",
  "77.75.153.0/25",
  "77.75.156.11",
  "77.75.156.35",
  "77.75.154.128/25",
  "2a02:5180::/32",
];

/** The configured allow-list (YOOKASSA_ALLOWED_IPS, comma-separated), else the published one. */
export function yookassaAllowed(): string[] {
  const v = env().YOOKASSA_ALLOWED_IPS;
  return v ? v.split(",").map((x) => x.trim()).filter(Boolean) : [...YOOKASSA_IPS];
}

export function allowList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const raw of entries) {
    const [addr, bits] = raw.trim().split("/");
    const type = isIP(addr) === 6 ? "ipv6" : "ipv4";
    if (!isIP(addr)) throw new Error(`"${raw}" is not an IP address or CIDR range`);
    if (bits !== undefined) list.addSubnet(addr, Number(bits), type);
    else list.addAddress(addr, type);
  }
  return list;
}

let sandboxSources: { url: string; at: number; entries: string[] } | undefined;

/**
 * The addresses the configured sandbox (SANDBOX_URL) calls from: what its host resolves to. A
 * sandbox on loopback calls from loopback, in either family (the target's name decides which),
 * so that is all of 127.0.0.0/8 and ::1. Resolved at most once a minute.
 */
export async function sandboxSourceAddresses(): Promise<string[]> {
  const url = env().SANDBOX_URL;
  if (sandboxSources && sandboxSources.url === url && Date.now() - sandboxSources.at < 60_000) return sandboxSources.entries;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    addresses = [];
  }
  const entries = new Set<string>();
  for (const raw of addresses) {
    const a = raw.replace(/^::ffff:/i, "");
    if (classifyAddress(a) === "loopback") {
      entries.add("127.0.0.0/8");
      entries.add("::1");
    } else entries.add(a);
  }
  sandboxSources = { url, at: Date.now(), entries: [...entries] };
  return sandboxSources.entries;
}

/**
 * YooKassa signs nothing: the source address must be on the allow-list, and the handler
 * must re-fetch the object from the API before trusting its status. `sandbox`: the addresses
 * of the integration's own sandbox, given only for a sandbox-mode integration (a live one
 * accepts YooKassa's ranges alone).
 */
export function verifyYooKassa(req: InboundRequest, allowed: readonly string[], sandbox: readonly string[] = []): Verdict {
  const scheme = "yookassa-ip-allowlist";
  if (!req.ip) return fail(scheme, "the caller's address is unknown (behind a proxy, the server must be set to trust it)");
  let ip = req.ip.replace(/^::ffff:/, "");
  const v = isIP(ip);
  if (!v) return fail(scheme, `"${req.ip}" is not an IP address`);
  ip = ip.toLowerCase();
  const type = v === 6 ? "ipv6" : "ipv4";
  if (allowList(allowed).check(ip, type)) return pass(scheme, "source address allowed; the object is re-fetched before it is trusted");
  if (sandbox.length && allowList(sandbox).check(ip, type)) {
    return pass(scheme, "source address is this sandbox-mode integration's sandbox; the object is re-fetched before it is trusted");
  }
  return fail(scheme, `${ip} is not on the YooKassa allow-list`);
}

// ───────────── PayPal ─────────────

export type PayPalVerifyRequest = {
  auth_algo: string;
  cert_url: string;
  transmission_id: string;
  transmission_sig: string;
  transmission_time: string;
  webhook_id: string;
  webhook_event: unknown;
};

/**
 * PayPal: the headers and the event go to PayPal's own verify endpoint, which answers
 * SUCCESS or FAILURE. We add the age check PayPal leaves to us and refuse obviously
 * malformed headers before spending a call on them.
 */
export async function verifyPayPal(
  req: InboundRequest,
  webhookId: string | undefined,
  callVerify: (body: PayPalVerifyRequest) => Promise<string>,
  tolerance = DEFAULT_TOLERANCE_SECONDS,
): Promise<Verdict> {
  const scheme = "paypal-verify-endpoint";
  const h = (n: string) => req.headers.get(n) ?? "";
  const need = ["paypal-transmission-id", "paypal-transmission-time", "paypal-transmission-sig", "paypal-cert-url", "paypal-auth-algo"];
  const missing = need.filter((n) => !h(n));
  if (missing.length) return fail(scheme, `missing ${missing.map((m) => m.toUpperCase()).join(", ")} header`);
  if (!webhookId) return fail(scheme, "no PayPal webhook id is configured for this integration");
  if (!isBase64(h("paypal-transmission-sig"))) return fail(scheme, "PAYPAL-TRANSMISSION-SIG is not base64");
  const at = Date.parse(h("paypal-transmission-time"));
  if (Number.isNaN(at)) return fail(scheme, "PAYPAL-TRANSMISSION-TIME is not a date");
  const age = Math.floor((Date.now() - at) / 1000);
  if (age > tolerance) return fail(scheme, `the transmission is ${age} s old (tolerance ${tolerance} s): a stale or replayed request`);
  if (age < -tolerance) return fail(scheme, "the transmission time is in the future beyond the tolerance");
  let event: unknown;
  try {
    event = JSON.parse(req.rawBody);
  } catch {
    return fail(scheme, "the body is not JSON");
  }
  const status = await callVerify({
    auth_algo: h("paypal-auth-algo"),
    cert_url: h("paypal-cert-url"),
    transmission_id: h("paypal-transmission-id"),
    transmission_sig: h("paypal-transmission-sig"),
    transmission_time: h("paypal-transmission-time"),
    webhook_id: webhookId,
    webhook_event: event,
  });
  return status === "SUCCESS" ? pass(scheme) : fail(scheme, `PayPal's verify endpoint answered ${status || "nothing"}`);
}

// ───────────── custom integrations (receive/[code]) ─────────────

/** Plain hex HMAC-SHA256 of the body (X-Signature, or a configured header) or Standard Webhooks (±5 min). */
export function verifyCustom(req: InboundRequest, scheme: SignatureScheme, secrets: readonly string[], header?: string): Verdict {
  const name = scheme === "hmac-sha256" ? "hmac-sha256" : "standard-webhooks";
  const r = verifyGeneric(scheme, secrets, req.rawBody, req.headers, { header });
  return r.ok ? pass(name) : fail(name, r.reason);
}
