// Redaction of what we store about provider calls: by field name (passwords, tokens, keys,
// card data) and by value (the integration's own secrets wherever they appear, including
// inside URLs such as Telegram's /bot<token>/).
const SENSITIVE_PARTS = [
  "password", "passwd", "secret", "token", "authorization", "apikey", "apiid", "privatekey",
  "clientsecret", "cookie", "signature", "cardnumber", "cvc", "cvv", "iban", "accesskey", "sessionid",
  "credential",
  // Zoom's start_url carries a host token (zak): whoever holds it starts the meeting as the host
  "starturl", "zak",
];
const SENSITIVE_EXACT = new Set(["pan", "pin", "key", "auth", "card", "otp", "code_verifier"]);

export const REDACTED = "[REDACTED]";

export function isSensitiveKey(key: string): boolean {
  const k = key.toLowerCase();
  if (SENSITIVE_EXACT.has(k)) return true;
  const flat = k.replace(/[-_\s.]/g, "");
  return SENSITIVE_PARTS.some((p) => flat.includes(p));
}

/** Replaces every occurrence of the given secret values (and their URL-encoded forms). */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join(REDACTED);
  }
  return out;
}

/**
 * A copy of `value` with sensitive fields and secret values redacted. With a `budget` (about how
 * many characters of JSON to keep), the walk stops once it is spent and marks the cut with "[…]":
 * a 1.4 MB provider page logged as a 16 KB preview is not redacted in full first.
 */
export function redactValue(value: unknown, secrets: readonly string[] = [], depth = 0, budget?: { left: number }): unknown {
  if (depth > 20) return "[…]";
  if (typeof value === "string") {
    if (budget) budget.left -= value.length + 3;
    return scrub(value, secrets);
  }
  if (Array.isArray(value)) {
    if (!budget) return value.map((v) => redactValue(v, secrets, depth + 1));
    const out: unknown[] = [];
    for (const v of value) {
      if (budget.left <= 0) {
        out.push("[…]");
        break;
      }
      out.push(redactValue(v, secrets, depth + 1, budget));
    }
    return out;
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (budget) {
        if (budget.left <= 0) {
          out["…"] = "[…]";
          break;
        }
        budget.left -= k.length + 4;
      }
      out[k] = isSensitiveKey(k) && v !== null && v !== undefined && v !== "" ? REDACTED : redactValue(v, secrets, depth + 1, budget);
    }
    return out;
  }
  if (budget) budget.left -= 8;
  return value;
}

export function redactUrl(url: string, secrets: readonly string[] = []): string {
  let out = scrub(url, secrets);
  try {
    const u = new URL(out);
    let changed = false;
    for (const k of [...u.searchParams.keys()]) {
      if (isSensitiveKey(k)) {
        u.searchParams.set(k, REDACTED);
        changed = true;
      }
    }
    if (u.username || u.password) {
      u.username = u.username ? REDACTED : "";
      u.password = "";
      changed = true;
    }
    if (changed) out = u.toString().replace(/%5BREDACTED%5D/g, REDACTED);
  } catch {
    /* not an absolute URL: value scrubbing is all we can do */
  }
  return out;
}

export function redactHeaders(headers: Record<string, string>, secrets: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = isSensitiveKey(k) || k.toLowerCase() === "x-api-key" ? REDACTED : scrub(v, secrets);
  }
  return out;
}

const MAX_TEXT = 16 * 1024;

/** A body as something readable in the logs: parsed JSON or form fields, redacted, size-capped. */
export function redactBody(body: string | undefined | null, contentType: string | null | undefined, secrets: readonly string[] = []): unknown {
  if (body === undefined || body === null || body === "") return undefined;
  const ct = (contentType ?? "").toLowerCase();
  if (ct.includes("json") || /^\s*[[{]/.test(body)) {
    try {
      // a body longer than the cap is only walked as far as the preview needs
      const big = body.length > MAX_TEXT;
      const v = redactValue(JSON.parse(body), secrets, 0, big ? { left: MAX_TEXT * 1.25 } : undefined);
      const s = JSON.stringify(v);
      return big || s.length > MAX_TEXT ? { truncated: true, preview: s.slice(0, MAX_TEXT) } : v;
    } catch {
      /* fall through to text */
    }
  }
  if (ct.includes("application/x-www-form-urlencoded")) {
    const params = new URLSearchParams(body);
    const obj: Record<string, string> = {};
    for (const [k, v] of params) obj[k] = v;
    return redactValue(obj, secrets);
  }
  const text = scrub(body, secrets);
  return text.length > MAX_TEXT ? { truncated: true, preview: text.slice(0, MAX_TEXT) } : text;
}
