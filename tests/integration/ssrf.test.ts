// Where provider calls may go (lib/net-guard.ts through lib/http.ts and the SMTP client):
// metadata and link-local never, loopback only for the sandbox and ALLOWED_PRIVATE_HOSTS,
// private ranges only for providers on the customer's network. The address checked is the
// address connected to (an injected resolver plays DNS). Traffic goes to loopback only: a
// private address that is allowed is dialled as the local scripted server (setDialRewrite).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { closeConnections, HttpError, request, type CallContext } from "@/lib/http";
import { classifyAddress, setDialRewrite, setResolver, type Resolver } from "@/lib/net-guard";
import { buildContext, createIntegration, testIntegration } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { scriptedServer } from "../helpers/scripted-server";
import { sandbox, system } from "../helpers/fixtures";

let srv: Awaited<ReturnType<typeof scriptedServer>>;
let port: number;
const saved = process.env.ALLOWED_PRIVATE_HOSTS;

function allow(value: string | undefined) {
  if (value === undefined) delete process.env.ALLOWED_PRIVATE_HOSTS;
  else process.env.ALLOWED_PRIVATE_HOSTS = value;
  resetEnvCache();
  closeConnections();
}

/** name → addresses; any other name does not resolve */
function dnsOf(table: Record<string, string[]>, calls: string[] = []): Resolver {
  return async (name) => {
    calls.push(name);
    const a = table[name];
    if (!a) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: "ENOTFOUND" });
    return a.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
}

beforeAll(async () => {
  srv = await scriptedServer();
  port = Number(new URL(srv.url).port);
});
afterAll(async () => {
  await srv.close();
  allow(saved);
  setResolver();
});
beforeEach(() => {
  allow(undefined); // nothing named: only the sandbox is reachable on loopback
  srv.hits.length = 0;
});
afterEach(() => {
  setResolver();
  setDialRewrite();
});

/**
 * The suite sends traffic to loopback only: where a test proves a private address is *allowed*,
 * the address is checked as the resolver gave it, then the connection goes to the local
 * scripted server instead, so its hits show the call really went out.
 */
const dialLocal = () => setDialRewrite(() => ({ address: "127.0.0.1", family: 4 }));

const ctx = (over: Partial<CallContext> = {}): CallContext => ({ provider: "test", action: "ssrf.call", retry: { baseDelayMs: 1, maxDelayMs: 2 }, ...over });

/** "HTTP <status>" or the error's message: the call went out either way unless it says "not allowed" */
async function outcome(p: Promise<{ status: number }>) {
  return p.then(
    (r) => `HTTP ${r.status}`,
    (e: Error) => e.message,
  );
}

async function refusal(p: Promise<unknown>) {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HttpError);
  return e as HttpError;
}

describe("address rules", () => {
  it("classifies the ranges (IPv4-mapped and NAT64 forms too)", () => {
    expect(classifyAddress("169.254.169.254")).toBe("link-local");
    expect(classifyAddress("fd00:ec2::254")).toBe("metadata");
    expect(classifyAddress("fe80::1")).toBe("link-local");
    expect(classifyAddress("::ffff:169.254.169.254")).toBe("link-local");
    expect(classifyAddress("::ffff:a9fe:a9fe")).toBe("link-local");
    expect(classifyAddress("64:ff9b::a9fe:a9fe")).toBe("link-local");
    expect(classifyAddress("127.0.0.1")).toBe("loopback");
    expect(classifyAddress("0.0.0.0")).toBe("loopback");
    expect(classifyAddress("::1")).toBe("loopback");
    expect(classifyAddress("::ffff:127.0.0.1")).toBe("loopback");
    for (const ip of ["10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "fc00::1", "fd12:3456::1"]) expect(classifyAddress(ip), ip).toBe("private");
    for (const ip of ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111"]) expect(classifyAddress(ip), ip).toBe("public");
  });
});

describe("lib/http refuses what it must, logs it like a failed call, and does not retry", () => {
  it.each([
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254"],
    ["http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254"],
    ["http://[fe80::1]/", "fe80::1"],
    ["http://[::ffff:169.254.169.254]/", "::ffff:a9fe:a9fe"],
  ])("metadata/link-local %s, even when ALLOWED_PRIVATE_HOSTS names it", async (url, address) => {
    allow(`${new URL(url).hostname.replace(/^\[|\]$/g, "")},169.254.169.254`);
    await db.integrationLog.deleteMany({ where: { action: "ssrf.call" } });
    const e = await refusal(request(ctx(), { url }));
    expect(e.refused).toBe(true);
    expect(e.message).toBe(`ssrf.call: The address ${address} is not allowed: link-local/metadata`);
    const logs = await db.integrationLog.findMany({ where: { action: "ssrf.call" } });
    expect(logs).toHaveLength(1); // GET is idempotent, yet a refusal is not retried
    expect(logs[0]).toMatchObject({ status: "error", error: `The address ${address} is not allowed: link-local/metadata`, statusCode: null });
  });

  it("loopback: refused unless it is the sandbox or named (host or host:port)", async () => {
    const e = await refusal(request(ctx(), { url: `${srv.url}/ok` }));
    expect(e.message).toMatch(/The address 127\.0\.0\.1 is not allowed: loopback/);
    expect(srv.hits).toHaveLength(0);

    // the configured sandbox: its host and port only
    expect((await request(ctx(), { url: `${sandbox().url}/__control/faults` })).status).toBeLessThan(500);
    const other = await refusal(request(ctx(), { url: `http://localhost:${port}/ok` }));
    expect(other.message).toMatch(/loopback/);

    allow(`127.0.0.1:${port + 1}`);
    await refusal(request(ctx(), { url: `${srv.url}/ok` }));
    allow(`127.0.0.1:${port}`);
    expect((await request(ctx(), { url: `${srv.url}/ok` })).status).toBe(200);
    allow("127.0.0.1");
    expect((await request(ctx(), { url: `${srv.url}/ok` })).status).toBe(200);
    expect(srv.hits).toHaveLength(2);
  });

  it("a named host:port is reached through its name; the same name on another port is not", async () => {
    setResolver(dnsOf({ "crm.internal.test": ["127.0.0.1"] }));
    allow(`crm.internal.test:${port}`);
    const ok = await request(ctx(), { url: `http://crm.internal.test:${port}/ok` });
    expect(ok.status).toBe(200);
    expect(srv.hits[0].headers.host).toBe(`crm.internal.test:${port}`);
    const e = await refusal(request(ctx(), { url: `http://crm.internal.test:${port + 1}/ok` }));
    expect(e.message).toMatch(/127\.0\.0\.1 is not allowed: loopback/);
  });

  it("checks the address connected to, not the URL: a name that resolves to the metadata address is refused at connect (DNS rebinding)", async () => {
    const calls: string[] = [];
    setResolver(dnsOf({ "innocent.example.com": ["169.254.169.254"], "rebind.example.com": ["93.184.216.34", "169.254.169.254"] }, calls));
    const e = await refusal(request(ctx(), { url: "http://innocent.example.com/latest/meta-data/iam" }));
    expect(e.message).toBe("ssrf.call: The address 169.254.169.254 is not allowed: link-local/metadata");
    expect(calls).toEqual(["innocent.example.com"]); // resolved once, when connecting
    // one bad address among good ones is enough to refuse
    const r = await refusal(request(ctx(), { url: "https://rebind.example.com/" }));
    expect(r.message).toMatch(/169\.254\.169\.254 is not allowed/);
    // a loopback answer for a public-looking name is loopback all the same
    setResolver(dnsOf({ "looks-public.example.com": ["127.0.0.1"] }));
    const l = await refusal(request(ctx(), { url: `http://looks-public.example.com:${port}/ok` }));
    expect(l.message).toMatch(/127\.0\.0\.1 is not allowed: loopback/);
    expect(srv.hits).toHaveLength(0);
  });

  it("private ranges only for providers on the customer's network", async () => {
    setResolver(dnsOf({ "erp.lan.test": ["10.255.255.1"] }));
    const pub = await refusal(request(ctx(), { url: "http://erp.lan.test/odata" }));
    expect(pub.message).toMatch(/10\.255\.255\.1 is not allowed: private network/);
    // allowed: the call goes out (whatever is, or is not, there answers: a status, a timeout, unreachable)
    dialLocal();
    const priv = await outcome(request(ctx({ network: "private-allowed", retry: false }), { url: `http://erp.lan.test:${port}/odata` }));
    expect(priv).toBe("HTTP 200");
    // or named
    allow("erp.lan.test");
    const named = await outcome(request(ctx({ retry: false }), { url: `http://erp.lan.test:${port}/odata` }));
    expect(named).toBe("HTTP 200");
    expect(srv.hits.map((h) => h.headers.host)).toEqual([`erp.lan.test:${port}`, `erp.lan.test:${port}`]);
  });
});

describe("providers: the definition's network policy reaches every call", () => {
  it("Stripe (internet) refuses a private endpoint; 1C (customer network) goes out to it", async () => {
    setResolver(dnsOf({ "pay.lan.test": ["192.168.77.1"], "erp.lan.test": ["192.168.77.2"] }));
    const stripe = await createIntegration(
      { provider: "stripe", name: "Private stripe", mode: "live", apiEndpoint: "http://pay.lan.test", credentials: { secretKey: "sk_test_0123456789abcdef" }, config: {} },
      system,
    );
    const s = await testIntegration(stripe.id, system);
    expect(s.ok).toBe(false);
    expect(s.message).toMatch(/The address 192\.168\.77\.1 is not allowed: private network/);
    const slog = await db.integrationLog.findFirstOrThrow({ where: { integrationId: stripe.id }, orderBy: { id: "desc" } });
    expect(slog).toMatchObject({ status: "error", error: expect.stringMatching(/192\.168\.77\.1 is not allowed/) });

    dialLocal();
    const onec = await createIntegration(
      { provider: "onec", name: "Private 1C", mode: "live", apiEndpoint: `http://erp.lan.test:${port}/base/odata/standard.odata`, credentials: { username: "sync", password: "pw" }, config: {} },
      system,
    );
    const o = await testIntegration(onec.id, system);
    expect(o.message).not.toMatch(/not allowed/);
    expect(srv.hits.length).toBeGreaterThan(0);
    expect(srv.hits[0].path).toMatch(/^\/base\/odata\/standard\.odata/);
    const ologs = await db.integrationLog.findMany({ where: { integrationId: onec.id } });
    expect(ologs.length).toBeGreaterThan(0);
    for (const l of ologs) expect(l.error ?? "").not.toMatch(/not allowed/);
  });

  it("custom webhook forwards: a forward URL on the metadata address is refused (a private one goes out)", async () => {
    setResolver(dnsOf({ "crm.lan.test": ["10.255.255.2"] }));
    const forwardSecret = `whsec_${Buffer.alloc(32, 3).toString("base64")}`;
    const make = (forwardUrl: string) =>
      createIntegration(
        { provider: "generic-webhook", name: `Fwd ${forwardUrl}`, mode: "live", apiEndpoint: null, credentials: { signingSecret: "s".repeat(32), forwardSecret }, config: { forwardUrl } },
        system,
      );
    const event = { id: "8f6b0a1e-0000-4000-8000-000000000001", type: "order.created", externalId: "o-1", payload: { id: "o-1" }, headers: {}, attempt: 1, receivedAt: new Date() };
    const handle = getProvider("generic-webhook")!.webhook!.handle!;
    const meta = await make("http://169.254.169.254/latest/meta-data/");
    const e = await handle(event, buildContext(meta)).then(() => null, (x: Error) => x);
    expect(e?.message).toMatch(/The address 169\.254\.169\.254 is not allowed: link-local\/metadata/);
    const lan = await make(`http://crm.lan.test:${port}/hooks`);
    dialLocal();
    const r = await handle(event, buildContext(lan)).then((x) => x.note ?? "", (x: Error) => x.message);
    expect(r).not.toMatch(/not allowed/);
    expect(srv.hits.map((h) => `${h.method} ${h.path}`)).toEqual(["POST /hooks"]);
  });

  it("SMTP resolves and checks the server itself: a name pointing at the metadata address is refused and logged", async () => {
    setResolver(dnsOf({ "mail.example.com": ["169.254.169.254"] }));
    const row = await createIntegration(
      { provider: "smtp", name: "Metadata mail", mode: "live", credentials: { username: "u@example.com", password: "pw-123456" }, config: { host: "mail.example.com", port: 587, fromEmail: "u@example.com" } },
      system,
    );
    const r = await testIntegration(row.id, system);
    expect(r).toMatchObject({ ok: false, message: "The address 169.254.169.254 is not allowed: link-local/metadata" });
    const log = await db.integrationLog.findFirstOrThrow({ where: { integrationId: row.id }, orderBy: { id: "desc" } });
    expect(log).toMatchObject({ method: "SMTP", url: "smtp://mail.example.com:587", status: "error", error: r.message });
  });

  it("SMTP in sandbox mode reaches the sandbox's own listeners with nothing named", async () => {
    const row = await createIntegration(
      { provider: "smtp", name: "Sandbox mail", mode: "sandbox", credentials: { username: "u@example.com", password: "pw-123456" }, config: { fromEmail: "u@example.com" } },
      system,
    );
    const r = await testIntegration(row.id, system);
    expect(r.ok, r.message).toBe(true);
  });
});
