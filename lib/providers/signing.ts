// Signatures for custom (generic-webhook) integrations, both ways: plain hex HMAC-SHA256 of
// the raw body in X-Signature, and Standard Webhooks v1 (webhook-id / -timestamp / -signature,
// through the `standardwebhooks` reference library). Comparisons are constant-time.
import { createHmac, timingSafeEqual } from "node:crypto";
import { Webhook } from "standardwebhooks";

export const SIGNATURE_SCHEMES = ["hmac-sha256", "standard-webhooks"] as const;
export type SignatureScheme = (typeof SIGNATURE_SCHEMES)[number];

export function hmacHex(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("hex");
}

/** Constant-time comparison of two hex strings (false for malformed or different lengths). */
export function safeEqualHex(a: string, b: string): boolean {
  if (!/^[0-9a-f]+$/i.test(a) || !/^[0-9a-f]+$/i.test(b) || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a, "hex"), Buffer.from(b, "hex"));
}

/** Standard (not URL-safe) base64 with its padding. */
export function isBase64(s: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(s);
}

export function isStandardWebhookSecret(secret: string): boolean {
  const raw = secret.startsWith("whsec_") ? secret.slice(6) : secret;
  return isBase64(raw) && Buffer.from(raw, "base64").length >= 24;
}

export function signHeaders(
  scheme: SignatureScheme,
  secret: string,
  body: string,
  opts: { id: string; timestamp?: Date; header?: string },
): Record<string, string> {
  if (scheme === "hmac-sha256") {
    return { [opts.header ?? "X-Signature"]: hmacHex(secret, body) };
  }
  const ts = opts.timestamp ?? new Date();
  return {
    "webhook-id": opts.id,
    "webhook-timestamp": String(Math.floor(ts.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(opts.id, ts, body),
  };
}

export type VerifyOutcome = { ok: true } | { ok: false; reason: string };

/** Tries each secret (rotation: newest first). */
export function verifySignature(
  scheme: SignatureScheme,
  secrets: readonly string[],
  body: string,
  headers: Headers,
  opts: { header?: string } = {},
): VerifyOutcome {
  if (secrets.length === 0) return { ok: false, reason: "no secret configured" };
  if (scheme === "hmac-sha256") {
    const sig = headers.get(opts.header ?? "X-Signature")?.trim().replace(/^sha256=/i, "");
    if (!sig) return { ok: false, reason: `missing ${opts.header ?? "X-Signature"} header` };
    if (!/^[0-9a-f]{64}$/i.test(sig)) return { ok: false, reason: "signature is not 64 hex characters" };
    return secrets.some((s) => safeEqualHex(sig, hmacHex(s, body))) ? { ok: true } : { ok: false, reason: "signature mismatch" };
  }
  const h = {
    "webhook-id": headers.get("webhook-id") ?? "",
    "webhook-timestamp": headers.get("webhook-timestamp") ?? "",
    "webhook-signature": headers.get("webhook-signature") ?? "",
  };
  const missing = Object.entries(h).filter(([, v]) => !v).map(([k]) => k);
  if (missing.length) return { ok: false, reason: `missing ${missing.join(", ")} header` };
  let last = "signature mismatch";
  for (const s of secrets) {
    try {
      new Webhook(s).verify(body, h);
      return { ok: true };
    } catch (e) {
      last = (e as Error).message || last;
    }
  }
  return { ok: false, reason: last };
}
