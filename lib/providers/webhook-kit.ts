// What every provider's webhook verification shares (issue 17: each provider's own verify
// function lives in its folder, lib/providers/<id>/verify.ts). Every verify function takes the
// raw body exactly as received and a list of secrets (newest first: during a rotation the
// previous secret is still accepted), and answers a verdict with a reason a person can act on.
// Comparisons are constant-time; where the scheme signs a timestamp, old (and far-future)
// timestamps are refused.
//
// The official SDKs do the cryptography where one exists (stripe, twilio,
// @sendgrid/eventwebhook, standardwebhooks); Zoom, Google, RingCentral, Telegram, YooKassa and
// PayPal have no verifying SDK for Node that we can point at a local server, so those few
// lines live in their folders.
import { createHash, timingSafeEqual } from "node:crypto";
import { BlockList, isIP } from "node:net";
import { lookup } from "node:dns/promises";
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

export const pass = (scheme: string, note?: string): Verdict => ({ ok: true, scheme, ...(note ? { note } : {}) });
export const fail = (scheme: string, reason: string): Verdict => ({ ok: false, scheme, reason });

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

export function checkAge(scheme: string, ts: string, tolerance: number): Verdict | null {
  const age = ageSeconds(ts);
  if (age === null) return fail(scheme, "the timestamp header is not a unix time");
  if (age > tolerance) return fail(scheme, `the timestamp is ${age} s old (tolerance ${tolerance} s): a stale or replayed request`);
  if (age < -tolerance) return fail(scheme, "the timestamp is in the future beyond the tolerance: check the sender's clock");
  return null;
}

export function noSecrets(scheme: string, secrets: readonly string[]): Verdict | null {
  return secrets.length === 0 ? fail(scheme, "no verification secret is configured for this integration") : null;
}

/**
 * A scheme whose proof is a shared token in a header (no signature, no timestamp): present,
 * a secret configured, only characters a token can have, equal (constant time) to one of the
 * secrets. Telegram's secret token and RingCentral's verification token are this.
 */
export function verifyHeaderToken(
  req: InboundRequest,
  secrets: readonly string[],
  s: { scheme: string; header: string; missing: string; charset: RegExp; badCharset: string; mismatch: string },
): Verdict {
  const got = req.headers.get(s.header);
  if (!got) return fail(s.scheme, s.missing);
  const none = noSecrets(s.scheme, secrets);
  if (none) return none;
  if (!s.charset.test(got)) return fail(s.scheme, s.badCharset);
  return secrets.some((t) => safeEqual(got, t)) ? pass(s.scheme) : fail(s.scheme, s.mismatch);
}

// ───────────── source address allow-lists ─────────────

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
