// Where provider calls may go (SSRF): an integration's endpoint, a forward URL or an SMTP host
// is whatever an admin or an API key typed, and the answers land in logs viewers read. The
// rules, checked against the address actually connected to (the name is resolved here, at
// connect time, so a DNS answer that changes between a check and the connection cannot slip
// through):
//   - link-local and cloud metadata (169.254.0.0/16, fe80::/10, fd00:ec2::254): always refused;
//   - loopback (127/8, ::1, 0.0.0.0): only the configured sandbox (SANDBOX_URL's host and port)
//     and hosts named in ALLOWED_PRIVATE_HOSTS;
//   - private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7): providers that live on
//     the customer's own network (network: "private-allowed": 1C, SMTP, custom webhooks), or
//     hosts named in ALLOWED_PRIVATE_HOSTS;
//   - multicast, broadcast and reserved ranges: refused unless named; everything else (public): allowed.
import dns from "node:dns";
import net from "node:net";
import { env } from "@/lib/env";

/** Which addresses a provider's calls may reach (declared on its definition, `network`). */
export type NetworkPolicy = "public" | "private-allowed";

export type AddressClass = "metadata" | "link-local" | "loopback" | "private" | "reserved" | "public";

/** A call refused before it connected: the message says which address and why. */
export class AddressRefusedError extends Error {
  readonly code = "EADDRNOTALLOWED";
  constructor(
    public address: string,
    public reason: string,
  ) {
    super(`The address ${address} is not allowed: ${reason}`);
    this.name = "AddressRefusedError";
  }
}

function blockList(v4: string[], v6: string[]) {
  const b = new net.BlockList();
  for (const c of v4) {
    const [a, p] = c.split("/");
    b.addSubnet(a, Number(p), "ipv4");
  }
  for (const c of v6) {
    const [a, p] = c.split("/");
    b.addSubnet(a, Number(p), "ipv6");
  }
  return b;
}

const METADATA = blockList([], ["fd00:ec2::254/128"]);
const LINK_LOCAL = blockList(["169.254.0.0/16"], ["fe80::/10"]);
const LOOPBACK = blockList(["127.0.0.0/8", "0.0.0.0/8"], ["::1/128", "::/128"]);
const PRIVATE = blockList(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"], ["fc00::/7"]);
const RESERVED = blockList(["224.0.0.0/4", "240.0.0.0/4"], ["ff00::/8"]);

/** An IPv4 address hidden in IPv6 (::ffff:a.b.c.d, ::a.b.c.d, NAT64 64:ff9b::a.b.c.d) as IPv4. */
function embeddedV4(ip: string): string | null {
  const b = ipv6Bytes(ip);
  if (!b) return null;
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const mapped = zeros(0, 10) && b[10] === 0xff && b[11] === 0xff;
  const compatible = zeros(0, 12) && !(b[12] === 0 && b[13] === 0 && b[14] === 0 && b[15] <= 1);
  const nat64 = b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12);
  return mapped || compatible || nat64 ? `${b[12]}.${b[13]}.${b[14]}.${b[15]}` : null;
}

function ipv6Bytes(ip: string): number[] | null {
  if (net.isIPv6(ip) === false) return null;
  let s = ip.split("%")[0];
  const v4 = s.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const p = v4[1].split(".").map(Number);
    s = s.slice(0, -v4[1].length) + `${((p[0] << 8) | p[1]).toString(16)}:${((p[2] << 8) | p[3]).toString(16)}`;
  }
  const [head, tail] = s.includes("::") ? s.split("::") : [s, null];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  if (groups.length !== 8) return null;
  return groups.flatMap((g) => {
    const n = parseInt(g || "0", 16);
    return [n >> 8, n & 0xff];
  });
}

export function classifyAddress(ip: string): AddressClass {
  const bare = ip.replace(/^\[|\]$/g, "").split("%")[0];
  const family = net.isIP(bare);
  if (!family) return "reserved";
  if (family === 6) {
    const v4 = embeddedV4(bare);
    if (v4) return classifyAddress(v4);
  }
  const type = family === 4 ? "ipv4" : "ipv6";
  if (METADATA.check(bare, type)) return "metadata";
  if (LINK_LOCAL.check(bare, type)) return "link-local";
  if (LOOPBACK.check(bare, type)) return "loopback";
  if (PRIVATE.check(bare, type)) return "private";
  if (RESERVED.check(bare, type) || bare === "255.255.255.255") return "reserved";
  return "public";
}

type HostEntry = { host: string; port: number | null };

/** ALLOWED_PRIVATE_HOSTS: "host", "host:port", "1.2.3.4", "[::1]:8080" or a bare IPv6 address, comma-separated. */
export function parseAllowedHosts(value: string | undefined): HostEntry[] {
  const out: HostEntry[] = [];
  for (const raw of (value ?? "").split(",")) {
    const e = raw.trim().toLowerCase();
    if (!e) continue;
    const bracket = e.match(/^\[([^\]]+)\](?::(\d+))?$/);
    if (bracket) out.push({ host: bracket[1], port: bracket[2] ? Number(bracket[2]) : null });
    else if (net.isIPv6(e)) out.push({ host: e, port: null });
    else {
      const m = e.match(/^(.+?)(?::(\d+))?$/)!;
      out.push({ host: m[1], port: m[2] ? Number(m[2]) : null });
    }
  }
  return out;
}

let allowedCache: { raw: string | undefined; sandbox: string; entries: HostEntry[] } | undefined;

function allowedEntries(): HostEntry[] {
  const e = env();
  if (allowedCache && allowedCache.raw === e.ALLOWED_PRIVATE_HOSTS && allowedCache.sandbox === e.SANDBOX_URL) return allowedCache.entries;
  const entries = parseAllowedHosts(e.ALLOWED_PRIVATE_HOSTS);
  // the built-in sandbox: its host and port only
  try {
    const u = new URL(e.SANDBOX_URL);
    entries.push({ host: u.hostname.replace(/^\[|\]$/g, "").toLowerCase(), port: Number(u.port || (u.protocol === "https:" ? 443 : 80)) });
  } catch {
    // SANDBOX_URL is validated as a URL by lib/env
  }
  allowedCache = { raw: e.ALLOWED_PRIVATE_HOSTS, sandbox: e.SANDBOX_URL, entries };
  return entries;
}

function named(host: string, address: string, port: number) {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return allowedEntries().some((x) => (x.host === h || x.host === address) && (x.port === null || x.port === port));
}

export type Destination = {
  /** the host as written (name or address) */
  host: string;
  port: number;
  policy: NetworkPolicy;
  /** a destination the configured sandbox itself named (its SMTP listeners): loopback allowed */
  trusted?: boolean;
};

/** Throws AddressRefusedError when `address` (what `host` resolved to) may not be reached. */
export function checkAddress(address: string, d: Destination): void {
  const cls = classifyAddress(address);
  if (cls === "metadata" || cls === "link-local") throw new AddressRefusedError(address, "link-local/metadata");
  if (cls === "public") return;
  if (d.trusted || named(d.host, address, d.port)) return;
  if (cls === "reserved") throw new AddressRefusedError(address, "multicast/reserved range");
  if (cls === "loopback") throw new AddressRefusedError(address, "loopback (the server's administrator can allow this host)");
  if (d.policy === "private-allowed") return;
  throw new AddressRefusedError(
    address,
    "private network (this provider lives on the internet; the server's administrator can allow this host)",
  );
}

export type ResolvedAddress = { address: string; family: 4 | 6 };
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

const systemResolver: Resolver = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

let resolver: Resolver = systemResolver;

/** Tests: answer name lookups from `r` (DNS rebinding, private names); no argument restores DNS. */
export function setResolver(r?: Resolver) {
  resolver = r ?? systemResolver;
}

type DialRewrite = (address: ResolvedAddress) => ResolvedAddress;
let dialRewrite: DialRewrite | undefined;

/**
 * Tests: after an address has been checked and allowed, connect to `rewrite(address)` instead.
 * The test suite may only send traffic to loopback, so a test that proves a private address
 * is *allowed* points the connection at its own local server rather than at 10.x; the check
 * itself still runs on the address the resolver gave. No argument restores plain dialling.
 */
export function setDialRewrite(rewrite?: DialRewrite) {
  dialRewrite = rewrite;
}

/** Every address `host` resolves to, each checked; an IP literal is checked as it is. */
export async function resolveChecked(d: Destination): Promise<ResolvedAddress[]> {
  const bare = d.host.replace(/^\[|\]$/g, "");
  const family = net.isIP(bare);
  if (family) {
    checkAddress(bare, d);
    return [{ address: bare, family: family as 4 | 6 }];
  }
  const addrs = await resolver(bare);
  if (!addrs.length) throw Object.assign(new Error(`${bare} did not resolve`), { code: "ENOTFOUND" });
  for (const a of addrs) checkAddress(a.address, d);
  return addrs;
}

/**
 * A `lookup` for net/http/https connections: resolves with the (injectable) resolver and
 * refuses the connection unless every address is allowed. The socket connects to exactly the
 * addresses checked here.
 */
export function guardedLookup(port: number, policy: NetworkPolicy): net.LookupFunction {
  return ((hostname: string, options: dns.LookupOptions, callback: (...args: unknown[]) => void) => {
    resolveChecked({ host: hostname, port, policy }).then(
      (addrs) => {
        const wanted = options.family === 4 || options.family === 6 ? addrs.filter((a) => a.family === options.family) : addrs;
        const checked = wanted.length ? wanted : addrs;
        const list = dialRewrite ? checked.map(dialRewrite) : checked;
        if (options.all) callback(null, list);
        else callback(null, list[0].address, list[0].family);
      },
      (err) => callback(err),
    );
  }) as net.LookupFunction;
}
