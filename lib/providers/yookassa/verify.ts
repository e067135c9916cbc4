// How yookassa proves a webhook is its own (../shared/reference/providers.md; the shared parts: lib/providers/webhook-kit.ts).
import { isIP } from "node:net";
import { env } from "@/lib/env";
import { pass, fail, allowList, type InboundRequest, type Verdict } from "@/lib/providers/webhook-kit";

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
