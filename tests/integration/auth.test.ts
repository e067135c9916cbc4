// Sign-in (next-auth's authorize), sessions checked against the database, API keys.
import { beforeEach, describe, expect, it } from "vitest";
import { authorizeCredentials, SIGNIN_ERRORS } from "@/lib/auth/options";
import { hashPassword, verifyPassword, generatePassword } from "@/lib/auth/password";
import { userFromSessionToken } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { signinDelayMs } from "@/lib/auth/signin-limits";
import { FIRST_ADMIN_EMAIL, firstAdminHint, resetPassword } from "@/lib/runtime/bootstrap";
import * as list from "@/app/api/v1/integrations/route";
import * as keysRoute from "@/app/api/v1/api-keys/route";
import * as keyRoute from "@/app/api/v1/api-keys/[id]/route";
import * as usersRoute from "@/app/api/v1/users/route";
import { call, sessionCookie } from "../helpers/http";
import { createKey, createUser } from "../helpers/fixtures";
import { withEnv } from "../helpers/workers";

const PASSWORD = "correct horse battery";

beforeEach(async () => {
  await db.rateLimit.deleteMany();
});

describe("passwords", () => {
  it("hashes with a salt and verifies in constant time", async () => {
    const a = await hashPassword("pw-123456789");
    const b = await hashPassword("pw-123456789");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword("pw-123456789", a)).toBe(true);
    expect(await verifyPassword("pw-12345678", a)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });
  it("generates strong readable passwords", () => {
    const p = generatePassword();
    expect(p).toHaveLength(20);
    expect(p).toMatch(/^[A-HJ-NP-Za-km-z2-9]+$/);
    expect(new Set(Array.from({ length: 50 }, () => generatePassword())).size).toBe(50);
  });
});

describe("sign-in", () => {
  it("accepts the right password, records the sign-in and audits it", async () => {
    const u = await createUser("viewer", { password: PASSWORD });
    const r = await authorizeCredentials({ email: u.email.toUpperCase(), password: PASSWORD }, "10.1.1.1");
    expect(r).toMatchObject({ id: u.id, email: u.email, sv: 1 });
    expect((await db.user.findUniqueOrThrow({ where: { id: u.id } })).lastLoginAt).not.toBeNull();
    expect(await db.auditLog.count({ where: { entityId: u.id, action: "auth.signin" } })).toBe(1);
  });

  it("gives the same answer for a wrong password and an unknown email", async () => {
    const u = await createUser("viewer", { password: PASSWORD });
    await expect(authorizeCredentials({ email: u.email, password: "wrong" }, "10.1.1.2")).rejects.toThrow(SIGNIN_ERRORS.invalid);
    await expect(authorizeCredentials({ email: "nobody@example.test", password: "wrong" }, "10.1.1.2")).rejects.toThrow(SIGNIN_ERRORS.invalid);
    await expect(authorizeCredentials({ email: "not an email", password: "x" }, "10.1.1.2")).rejects.toThrow(SIGNIN_ERRORS.invalid);
  });

  it("refuses deactivated users and invited users without a password", async () => {
    const off = await createUser("admin", { password: PASSWORD, active: false });
    await expect(authorizeCredentials({ email: off.email, password: PASSWORD }, "10.1.1.3")).rejects.toThrow(SIGNIN_ERRORS.invalid);
    const invited = await createUser("viewer");
    await expect(authorizeCredentials({ email: invited.email, password: "" }, "10.1.1.3")).rejects.toThrow();
  });

  it("rate-limits repeated failures, even the right password then, and other addresses keep their own budget", async () => {
    await withEnv({ LOGIN_MAX_ATTEMPTS: "3" }, async () => {
      const u = await createUser("viewer", { password: PASSWORD });
      for (let i = 0; i < 3; i++) await expect(authorizeCredentials({ email: u.email, password: "bad" }, "10.2.2.2")).rejects.toThrow(SIGNIN_ERRORS.invalid);
      await expect(authorizeCredentials({ email: u.email, password: PASSWORD }, "10.2.2.2")).rejects.toThrow(SIGNIN_ERRORS.limited);
      expect(await db.auditLog.count({ where: { action: "auth.signin_rate_limited" } })).toBeGreaterThan(0);
      // the account-wide limit is higher (4x): a different address can still sign in
      await expect(authorizeCredentials({ email: u.email, password: PASSWORD }, "10.3.3.3")).resolves.toMatchObject({ id: u.id });
    });
  });
});

it("successful sign-ins never count against the limits: only failures do", async () => {
  await withEnv({ LOGIN_MAX_ATTEMPTS: "2" }, async () => {
    const u = await createUser("admin", { password: PASSWORD });
    // far more than the account-wide (8) and per-address (40) budgets, all successful
    for (let i = 0; i < 45; i++) await expect(authorizeCredentials({ email: u.email, password: PASSWORD }, "10.4.4.4")).resolves.toMatchObject({ id: u.id });
    // failures still count: two wrong passwords, then even the right one waits
    for (let i = 0; i < 2; i++) await expect(authorizeCredentials({ email: u.email, password: "bad" }, "10.4.4.4")).rejects.toThrow(SIGNIN_ERRORS.invalid);
    await expect(authorizeCredentials({ email: u.email, password: PASSWORD }, "10.4.4.4")).rejects.toThrow(SIGNIN_ERRORS.limited);
  });
});

describe("account lockout (issue 15 item 9)", () => {
  // the delays are recorded, not slept: authorize takes the sleep function as a dependency
  const recorder = () => {
    const waits: number[] = [];
    return { waits, sleep: async (ms: number) => void waits.push(ms) };
  };

  it("failures from many addresses slow the account down but never refuse the right password from an address that has not failed", async () => {
    const u = await createUser("admin", { password: PASSWORD });
    const { waits, sleep } = recorder();
    // 30 failures: 25 addresses once each, and one address 5 times (LOGIN_MAX_ATTEMPTS)
    for (let i = 0; i < 25; i++) {
      await expect(authorizeCredentials({ email: u.email, password: `guess ${i}` }, `198.51.100.${i + 1}`, { sleep })).rejects.toThrow(SIGNIN_ERRORS.invalid);
    }
    for (let i = 0; i < 5; i++) {
      await expect(authorizeCredentials({ email: u.email, password: `again ${i}` }, "203.0.113.66", { sleep })).rejects.toThrow(SIGNIN_ERRORS.invalid);
    }
    // the right password from a fresh address: accepted, after the account's delay
    waits.length = 0;
    await expect(authorizeCredentials({ email: u.email, password: PASSWORD }, "192.0.2.200", { sleep })).resolves.toMatchObject({ id: u.id });
    expect(waits).toEqual([signinDelayMs(30, 20)]);
    expect(waits[0]).toBe(10_000);
    // the address that failed LOGIN_MAX_ATTEMPTS times is refused, even with the right password
    await expect(authorizeCredentials({ email: u.email, password: PASSWORD }, "203.0.113.66", { sleep })).rejects.toThrow(SIGNIN_ERRORS.limited);
    expect(await db.auditLog.count({ where: { action: "auth.signin_rate_limited" } })).toBeGreaterThan(0);
  });

  it("the delay grows with each failure past the account's threshold, up to 10 s, and is taken before the password is checked", async () => {
    const u = await createUser("viewer", { password: PASSWORD });
    const { waits, sleep } = recorder();
    for (let i = 0; i < 28; i++) {
      await expect(authorizeCredentials({ email: u.email, password: "bad" }, `198.51.100.${i + 1}`, { sleep })).rejects.toThrow(SIGNIN_ERRORS.invalid);
    }
    // no wait for the first LOGIN_MAX_ATTEMPTS × 4 = 20 failures, then 0.25 s doubling to the 10 s cap
    expect(waits).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect(signinDelayMs(19, 20)).toBe(0);
    expect(signinDelayMs(20, 20)).toBe(250);
    expect(signinDelayMs(1000, 20)).toBe(10_000);
    // an unknown account gets the same treatment (no hint that the e-mail exists)
    const other = recorder();
    for (let i = 0; i < 21; i++) {
      await expect(authorizeCredentials({ email: "nobody@example.test", password: "bad" }, `198.51.101.${i + 1}`, other)).rejects.toThrow(SIGNIN_ERRORS.invalid);
    }
    expect(other.waits).toEqual([250]);
  });

  it("admin:reset-password clears the account's limits: the blocked address and the delay are gone", async () => {
    const u = await createUser("admin", { password: PASSWORD });
    const { waits, sleep } = recorder();
    for (let i = 0; i < 25; i++) {
      await expect(authorizeCredentials({ email: u.email, password: "bad" }, `198.51.100.${i + 1}`, { sleep })).rejects.toThrow(SIGNIN_ERRORS.invalid);
    }
    for (let i = 0; i < 5; i++) {
      await expect(authorizeCredentials({ email: u.email, password: "bad" }, "203.0.113.66", { sleep })).rejects.toThrow(SIGNIN_ERRORS.invalid);
    }
    // someone else's limits are not touched by the reset
    const bystander = await createUser("viewer", { password: PASSWORD });
    for (let i = 0; i < 5; i++) {
      await expect(authorizeCredentials({ email: bystander.email, password: "bad" }, "203.0.113.66", { sleep })).rejects.toThrow(SIGNIN_ERRORS.invalid);
    }
    const r = await resetPassword(u.email.toUpperCase());
    expect(r?.email).toBe(u.email);
    waits.length = 0;
    await expect(authorizeCredentials({ email: u.email, password: r!.password }, "203.0.113.66", { sleep })).resolves.toMatchObject({ id: u.id });
    expect(waits.filter((w) => w > 0)).toEqual([]);
    await expect(authorizeCredentials({ email: bystander.email, password: PASSWORD }, "203.0.113.66", { sleep })).rejects.toThrow(SIGNIN_ERRORS.limited);
  });

  it("the first start hints at SWITCHBOARD_ADMIN_EMAIL when the predictable default e-mail is used", () => {
    expect(firstAdminHint(FIRST_ADMIN_EMAIL)).toMatch(/SWITCHBOARD_ADMIN_EMAIL/);
    expect(firstAdminHint("ADMIN@switchboard.local")).toMatch(/SWITCHBOARD_ADMIN_EMAIL/);
    expect(firstAdminHint("ops@transfer.example")).toBeNull();
  });
});

describe("sessions", () => {
  it("follow the database: deactivation, a new session version and role changes take effect at once", async () => {
    const u = await createUser("admin");
    const token = u.cookie.split("=")[1];
    expect(await userFromSessionToken(token)).toMatchObject({ id: u.id, role: "admin" });
    await db.user.update({ where: { id: u.id }, data: { role: "viewer" } });
    expect(await userFromSessionToken(token)).toMatchObject({ role: "viewer" });
    await db.user.update({ where: { id: u.id }, data: { sessionVersion: { increment: 1 } } });
    expect(await userFromSessionToken(token)).toBeNull();
    const fresh = await sessionCookie({ id: u.id, sessionVersion: 2 });
    expect(await userFromSessionToken(fresh.split("=")[1])).not.toBeNull();
    await db.user.update({ where: { id: u.id }, data: { active: false } });
    expect(await userFromSessionToken(fresh.split("=")[1])).toBeNull();
  });

  it("rejects tokens signed with another secret", async () => {
    const u = await createUser("admin");
    const saved = process.env.NEXTAUTH_SECRET;
    process.env.NEXTAUTH_SECRET = "another-secret-0123456789abcdefgh";
    const forged = await sessionCookie(u);
    process.env.NEXTAUTH_SECRET = saved;
    expect(await userFromSessionToken(forged.split("=")[1])).toBeNull();
  });
});

describe("API keys", () => {
  it("are shown once, stored hashed, and work as Bearer tokens", async () => {
    const admin = await createUser("admin");
    const r = await call(keysRoute.POST, { url: "/x", cookie: admin.cookie, body: { name: "CRM backend", scopes: ["integrations:read"] } });
    expect(r.status).toBe(201);
    expect(r.json.key).toMatch(/^sb_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: r.json.apiKey.id } });
    expect(row.keyHash).toHaveLength(64);
    expect(JSON.stringify({ ...row, keyHash: "" })).not.toContain(r.json.key.slice(16)); // the secret part (base64url may contain "_")
    const listed = await call(keysRoute.GET, { url: "/x", cookie: admin.cookie });
    expect(JSON.stringify(listed.json)).not.toContain(r.json.key);
    expect(listed.json.items[0].prefix).toBe(`sb_${row.prefix}_…`);

    const use = await call(list.GET, { url: "/x", bearer: r.json.key, ip: "192.0.2.7" });
    expect(use.status).toBe(200);
    const used = await db.apiKey.findUniqueOrThrow({ where: { id: row.id } });
    expect(used.lastUsedAt).not.toBeNull();
    expect(used.lastUsedIp).toBe("192.0.2.7");
  });

  it("stop working when revoked, and an audit row says who revoked", async () => {
    const admin = await createUser("admin");
    const { key, row } = await createKey(["integrations:read"]);
    expect((await call(list.GET, { url: "/x", bearer: key })).status).toBe(200);
    const rev = await call(keyRoute.DELETE, { method: "DELETE", url: "/x", cookie: admin.cookie, params: { id: row.id } });
    expect(rev.json.status).toBe("revoked");
    const after = await call(list.GET, { url: "/x", bearer: key });
    expect(after.status).toBe(401);
    expect(after.json.error.message).toMatch(/revoked/);
    expect(await db.auditLog.count({ where: { entityId: row.id, action: "api_key.revoke", actorId: admin.id } })).toBe(1);
  });

  it("answer 401 when missing, malformed, unknown or expired", async () => {
    const { key: expired } = await createKey(["integrations:read"], { expiresAt: new Date(Date.now() - 1000) });
    const cases: [string | undefined, string | undefined, RegExp][] = [
      [undefined, undefined, /Sign in or send an API key/],
      [undefined, "Basic abc", /Malformed Authorization/],
      ["", undefined, /Malformed Authorization/],
      ["not-a-key", undefined, /malformed/],
      [`sb_AAAAAAAAAAAA_${"x".repeat(43)}`, undefined, /not valid/],
      [expired, undefined, /expired/],
    ];
    for (const [bearer, authorization, msg] of cases) {
      const r = await call(list.GET, { url: "/x", bearer, headers: authorization ? { authorization } : {} });
      expect(r.status, String(bearer)).toBe(401);
      expect(r.json.error).toMatchObject({ code: "unauthorized", message: expect.stringMatching(msg) });
    }
  });

  it("cannot call session-only endpoints (users, API keys) even with every scope", async () => {
    const { key } = await createKey(["integrations:read", "integrations:write", "logs:read", "jobs:read", "jobs:write"]);
    for (const h of [usersRoute.GET, keysRoute.GET]) {
      const r = await call(h, { url: "/x", bearer: key });
      expect(r.status).toBe(403);
    }
  });

  it("are rate limited per key with 429 and Retry-After", async () => {
    const { key } = await createKey(["integrations:read"], { rateLimitPerMinute: 3 });
    const { key: other } = await createKey(["integrations:read"], { rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await call(list.GET, { url: "/x", bearer: key })).status).toBe(200);
    const limited = await call(list.GET, { url: "/x", bearer: key });
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe("rate_limited");
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await call(list.GET, { url: "/x", bearer: other })).status).toBe(200);
  });

  it("validate what an admin asks for", async () => {
    const admin = await createUser("admin");
    const r = await call(keysRoute.POST, { url: "/x", cookie: admin.cookie, body: { name: "", scopes: ["root"] } });
    expect(r.status).toBe(400);
    expect(r.json.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(["name", "scopes.0"]));
    const viewer = await createUser("viewer");
    expect((await call(keysRoute.POST, { url: "/x", cookie: viewer.cookie, body: { name: "x", scopes: ["logs:read"] } })).status).toBe(403);
  });
});

describe("cross-site requests with a session (CSRF, issue 15 item 15)", () => {
  const newKey = { name: "made cross-site", scopes: ["integrations:read"] };
  const keysNamed = (name: string) => db.apiKey.count({ where: { name } });

  it("refuses a session's POST from another site's Origin with 403 csrf, and writes nothing", async () => {
    const admin = await createUser("admin");
    for (const origin of ["https://evil.example", "http://localhost:3000.evil.example", "null", "http://localhost:3001"]) {
      const r = await call(keysRoute.POST, { url: "/api/v1/api-keys", cookie: admin.cookie, body: newKey, headers: { origin } });
      expect(r.status, origin).toBe(403);
      expect(r.json.error).toMatchObject({ code: "csrf", message: expect.stringMatching(/another site/) });
    }
    expect(await keysNamed(newKey.name)).toBe(0);
    // DELETE too: the key stays active
    const { row } = await createKey(["integrations:read"]);
    const rev = await call(keyRoute.DELETE, { method: "DELETE", url: "/x", cookie: admin.cookie, params: { id: row.id }, headers: { origin: "https://evil.example" } });
    expect(rev.status).toBe(403);
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: row.id } })).revokedAt).toBeNull();
  });

  it("refuses a session's POST that the browser marks cross-site or same-site when there is no Origin", async () => {
    const admin = await createUser("admin");
    for (const site of ["cross-site", "same-site"]) {
      const r = await call(keysRoute.POST, { url: "/x", cookie: admin.cookie, body: newKey, headers: { "sec-fetch-site": site } });
      expect(r.status, site).toBe(403);
      expect(r.json.error.code).toBe("csrf");
    }
    expect(await keysNamed(newKey.name)).toBe(0);
  });

  it("lets the site's own pages through: a matching Origin, same-origin or none (typed address), or neither header", async () => {
    const admin = await createUser("admin");
    const ok: Record<string, string>[] = [
      { origin: "http://localhost:3000" }, // NEXTAUTH_URL
      { origin: "http://localhost:3000", "sec-fetch-site": "same-origin" },
      { origin: "https://hub.example.com", host: "hub.example.com" }, // the Host the browser addressed
      { "sec-fetch-site": "same-origin" },
      { "sec-fetch-site": "none" },
      {}, // a non-browser client with the cookie (browsers always send Origin on a cross-site POST)
    ];
    for (const headers of ok) {
      const r = await call(keysRoute.POST, { url: "/x", cookie: admin.cookie, body: { ...newKey, name: "from the dashboard" }, headers });
      expect(r.status, JSON.stringify(headers)).toBe(201);
    }
    expect(await keysNamed("from the dashboard")).toBe(ok.length);
  });

  it("leaves safe methods and API keys alone", async () => {
    const admin = await createUser("admin");
    const read = await call(keysRoute.GET, { url: "/x", cookie: admin.cookie, headers: { origin: "https://evil.example", "sec-fetch-site": "cross-site" } });
    expect(read.status).toBe(200);
    // the CRM's backend (or a page on its site) calls with an API key: no cookie is involved
    const { key } = await createKey(["integrations:read", "integrations:write"]);
    const made = await call(list.POST, {
      url: "/x",
      bearer: key,
      headers: { origin: "https://crm.example", "sec-fetch-site": "cross-site" },
      body: { provider: "telegram", name: "from the CRM", credentials: { botToken: "7000000001:AAH" + "x".repeat(32) } },
    });
    expect(made.status, made.text).toBe(201);
  });
});
