// The client's address. scripts/server.ts sets x-switchboard-client-ip with clientAddress()
// (the socket's peer or, with TRUST_PROXY=true, the X-Forwarded-For entry our own proxies
// wrote) and overwrites any copy a client sent.
import { isIP } from "node:net";

export const CLIENT_IP_HEADER = "x-switchboard-client-ip";

export function clientIp(headers: Headers): string {
  return headers.get(CLIENT_IP_HEADER) ?? "unknown";
}

/** An address as written by a socket or a proxy ("::ffff:1.2.3.4", "1.2.3.4:5678", "[::1]:80"), or null. */
function normalizeAddress(raw: string | undefined): string | null {
  let v = raw?.trim() ?? "";
  if (!v) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(v);
  if (bracketed) v = bracketed[1];
  else if (/^\d{1,3}(?:\.\d{1,3}){3}:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(":"));
  v = v.replace(/^::ffff:(?=\d{1,3}(?:\.\d{1,3}){3}$)/i, "");
  return isIP(v) ? v.toLowerCase() : null;
}

/**
 * The client's address for one request.
 *
 * Without a trusted proxy it is the socket's peer. With `trustProxy`, the socket's peer is our
 * own proxy, and every proxy on the way appends the address it received the request from to
 * X-Forwarded-For; the entry `hops` from the right was therefore written by the outermost of our
 * `hops` proxies, and everything left of it is whatever the client sent (ignored: taking the
 * left-most entry let any client choose its address).
 *
 * With fewer entries than `hops` the request skipped some of our proxies, and a left entry may
 * again be the client's own invention: only the right-most entry, written by the proxy that
 * connected to us, is taken. No header, or a chosen entry that is not an address ("unknown"):
 * the socket's peer.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  opts: { trustProxy: boolean; hops: number },
): string {
  const socket = normalizeAddress(socketAddress) ?? socketAddress?.trim() ?? "";
  const fallback = socket || "unknown";
  if (!opts.trustProxy || forwardedFor === undefined) return fallback;
  const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!entries.length) return fallback;
  const hops = Math.max(1, Math.floor(opts.hops));
  const chosen = entries.length >= hops ? entries[entries.length - hops] : entries[entries.length - 1];
  return normalizeAddress(chosen) ?? fallback;
}
