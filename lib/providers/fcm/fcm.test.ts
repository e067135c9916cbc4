// The FCM provider against its sandbox: the service-account JWT exchange (claims, RS256
// signature, caching), the HTTP v1 send wire format, every error class, and that neither the
// assertion, the access token nor the private key reaches integration_logs.
import { generateKeyPairSync, randomBytes, randomUUID, verify } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db";
import { buildContext, createIntegration, getIntegrationRow, testIntegration } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { SendError, type OutboundMessage, type ProviderContext } from "@/lib/providers/types";
import { fault, sandbox, system } from "@/tests/helpers/fixtures";
import { failure } from "@/tests/helpers/providers";

const PROJECT = "switchboard-demo";
const { privateKey, publicKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

const def = getProvider("fcm")!;
const jsonOf = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
const b64json = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));

let n = 0;
function serviceAccount(overrides: Record<string, unknown> = {}) {
  n++;
  const email = `push-sender-${n}-${randomBytes(3).toString("hex")}@${PROJECT}.iam.gserviceaccount.com`;
  return {
    type: "service_account",
    project_id: PROJECT,
    private_key_id: randomBytes(20).toString("hex"),
    private_key: privateKey,
    client_email: email,
    client_id: "1234567890",
    token_uri: "https://oauth2.googleapis.com/token",
    ...overrides,
  };
}

async function fcmIntegration(config: Record<string, unknown> = {}) {
  const sa = serviceAccount();
  const row = await createIntegration(
    { provider: "fcm", name: `Push ${n}`, mode: "sandbox", credentials: { serviceAccountJson: JSON.stringify(sa, null, 2) }, config },
    system,
  );
  return { row, sa, ctx: buildContext(row) as ProviderContext };
}

function message(to: string, extra: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    id: randomUUID(),
    channel: "push",
    to,
    subject: "New order",
    text: "Order APP-1001 assigned to you",
    options: { data: { type: "application", application_id: "123", action: "view" } },
    statusCallbackUrl: "http://localhost:3000/api/webhooks/fcm/x",
    ...extra,
  };
}

const deviceToken = () => `d${randomBytes(60).toString("base64url")}:APA91b${randomBytes(40).toString("base64url")}`;

type Seen = { method: string; path: string; headers: Record<string, string>; body: string };
async function requests(): Promise<Seen[]> {
  const r = await fetch(`${sandbox().url}/__control/requests?provider=fcm`);
  return ((await r.json()) as { items: Seen[] }).items;
}
/** the requests the sandbox saw for this service account's tokens, oldest first */
async function tokenRequestsOf(email: string): Promise<Seen[]> {
  return (await requests())
    .filter((s) => s.path === "/fcm/token")
    .filter((s) => {
      const a = new URLSearchParams(s.body).get("assertion") ?? "";
      try {
        return b64json(a.split(".")[1] ?? "").iss === email;
      } catch {
        return false;
      }
    })
    .reverse();
}
async function sendRequestsTo(token: string): Promise<Seen[]> {
  return (await requests()).filter((s) => s.path.endsWith("/messages:send") && s.body.includes(token)).reverse();
}

const sendError = (p: Promise<unknown>) => failure(p, SendError);

afterEach(() => {
  vi.restoreAllMocks();
});

describe("fcm provider", () => {
  it("exchanges a signed service-account JWT once, sends two messages in FCM's v1 format", async () => {
    const { sa, ctx } = await fcmIntegration();
    const to = deviceToken();
    const r1 = await def.messaging!.send(ctx, message(to));
    const r2 = await def.messaging!.send(ctx, message(to, { subject: null, text: "Second" }));
    expect(r1).toMatchObject({ status: "sent", providerMessageId: expect.stringMatching(/^0:\d+%[0-9a-f]{16}$/) });
    expect(r2.providerMessageId).not.toBe(r1.providerMessageId);

    // one token exchange for both sends
    const tokenCalls = await tokenRequestsOf(sa.client_email);
    expect(tokenCalls).toHaveLength(1);
    const form = new URLSearchParams(tokenCalls[0].body);
    expect(tokenCalls[0].headers["content-type"]).toContain("application/x-www-form-urlencoded");
    expect(form.get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
    const [h, c, s] = form.get("assertion")!.split(".");
    expect(b64json(h)).toEqual({ alg: "RS256", typ: "JWT", kid: sa.private_key_id });
    const claims = b64json(c);
    expect(claims).toMatchObject({
      iss: sa.client_email,
      scope: "https://www.googleapis.com/auth/firebase.messaging",
      aud: `${sandbox().url}/fcm/token`,
    });
    expect(claims.exp - claims.iat).toBe(3600);
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(60);
    // a real RS256 signature by the key's private key (the sandbox cannot check it: we do)
    expect(verify("sha256", Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s, "base64url"))).toBe(true);

    const sends = await sendRequestsTo(to);
    expect(sends).toHaveLength(2);
    expect(sends[0].method).toBe("POST");
    expect(sends[0].path).toBe(`/fcm/v1/projects/${PROJECT}/messages:send`);
    expect(sends[0].headers.authorization).toMatch(/^Bearer ya29\.sandbox-/);
    expect(sends[1].headers.authorization).toBe(sends[0].headers.authorization);
    expect(JSON.parse(sends[0].body)).toEqual({
      message: {
        token: to,
        notification: { title: "New order", body: "Order APP-1001 assigned to you" },
        data: { type: "application", application_id: "123", action: "view" },
      },
    });
    expect(JSON.parse(sends[1].body).message.notification).toEqual({ body: "Second" });

    const inbox = (await (await fetch(`${sandbox().url}/__control/inbox?provider=fcm`)).json()) as { items: { to: string; kind: string; summary: string; payload: { name: string } }[] };
    const mine = inbox.items.filter((i) => i.to === to);
    expect(mine.map((i) => i.summary)).toEqual(["Second", "New order: Order APP-1001 assigned to you"]);
    expect(mine[1]).toMatchObject({ kind: "push", payload: { name: `projects/${PROJECT}/messages/${r1.providerMessageId}` } });
  });

  it("turns non-string data into strings and applies the Android/APNs priority defaults", async () => {
    const { ctx } = await fcmIntegration({ androidPriority: "high", apnsPriority: "normal" });
    const to = deviceToken();
    const data = { application_id: 123, urgent: true, route: { from: "A" } } as unknown as Record<string, string>;
    await def.messaging!.send(ctx, message(to, { options: { data } }));
    const [sent] = await sendRequestsTo(to);
    expect(JSON.parse(sent.body).message).toMatchObject({
      data: { application_id: "123", urgent: "true", route: '{"from":"A"}' },
      android: { priority: "HIGH" },
      apns: { headers: { "apns-priority": "5" } },
    });
  });

  it("gets a new access token once the cached one is within 60 s of expiry", async () => {
    const { sa, ctx } = await fcmIntegration();
    await def.messaging!.send(ctx, message(deviceToken()));
    const now = Date.now();
    vi.spyOn(Date, "now").mockImplementation(() => now + 3530_000); // 3599 s token: 69 s left, still cached
    await def.messaging!.send(ctx, message(deviceToken()));
    expect(await tokenRequestsOf(sa.client_email)).toHaveLength(1);
    vi.spyOn(Date, "now").mockImplementation(() => now + 3545_000); // 54 s left: refreshed
    await def.messaging!.send(ctx, message(deviceToken()));
    expect(await tokenRequestsOf(sa.client_email)).toHaveLength(2);
  });

  it("UNREGISTERED device token: permanent, recipient gone", async () => {
    const { ctx } = await fcmIntegration();
    const e = await sendError(def.messaging!.send(ctx, message("unregistered-phone-of-driver-7")));
    expect(e.kind).toBe("permanent");
    expect(e.opts).toMatchObject({ code: "UNREGISTERED", recipientGone: true });
    expect(e.message).toMatch(/no longer knows this device token/);
  });

  it("a token that is not an FCM token: permanent, recipient gone; any other 400: permanent only", async () => {
    const { ctx } = await fcmIntegration();
    const bad = await sendError(def.messaging!.send(ctx, message("invalid-token-123")));
    expect(bad.kind).toBe("permanent");
    expect(bad.opts).toMatchObject({ code: "INVALID_ARGUMENT", recipientGone: true });
    expect(bad.message).toBe("The device token is not a valid FCM registration token");

    // a reserved data key is the message's fault, not the device's
    const field = await sendError(def.messaging!.send(ctx, message(deviceToken(), { options: { data: { from: "dispatch" } } })));
    expect(field.kind).toBe("permanent");
    expect(field.opts.recipientGone).toBeUndefined();
    expect(field.message).toMatch(/FCM rejected the message \(INVALID_ARGUMENT\): Invalid data payload key: from/);

    const local = await sendError(def.messaging!.send(ctx, message("has a space")));
    expect(local.kind).toBe("permanent");
  });

  it("a 404 without FCM's UNREGISTERED code (wrong project or URL) is transient and condemns no token", async () => {
    const { ctx } = await fcmIntegration();
    await def.messaging!.send(ctx, message(deviceToken()));
    await fault({ provider: "fcm", path: "messages:send", status: 404, body: { error: { code: 404, message: "Requested entity was not found.", status: "NOT_FOUND" } } });
    const e = await sendError(def.messaging!.send(ctx, message(deviceToken())));
    expect(e.kind).toBe("transient");
    expect(e.opts.recipientGone).toBeUndefined();
    expect(e.message).toMatch(/check the project_id/);
  });

  it("SENDER_ID_MISMATCH: permanent", async () => {
    const { ctx } = await fcmIntegration();
    const e = await sendError(def.messaging!.send(ctx, message("sender-mismatch-abc")));
    expect(e.kind).toBe("permanent");
    expect(e.opts).toMatchObject({ code: "SENDER_ID_MISMATCH" });
    expect(e.opts.recipientGone).toBeUndefined();
  });

  it("a revoked service-account key: sends fail transient and Test connection explains it", async () => {
    const { row, sa, ctx } = await fcmIntegration();
    const rv = await fetch(`${sandbox().url}/fcm/__revoke`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_email: sa.client_email }),
    });
    expect(rv.status).toBe(204);
    const e = await sendError(def.messaging!.send(ctx, message(deviceToken())));
    expect(e.kind).toBe("transient");
    expect(e.opts.code).toBe("invalid_grant");
    expect(e.message).toMatch(/Google refused the service account key \(invalid_grant: Invalid JWT Signature\.\): the key was revoked or deleted/);
    expect(e.message).toMatch(/Firebase console → Project settings → Service accounts/);

    const t = await testIntegration(row.id, system);
    expect(t.ok).toBe(false);
    expect(t.message).toMatch(/the key was revoked or deleted, or the service account is disabled/);
    expect(await getIntegrationRow(row.id)).toMatchObject({ status: "error", lastTestOk: false });
  });

  it("401 on send drops the cached access token: transient, and the next send gets a new one", async () => {
    const { sa, ctx } = await fcmIntegration();
    const to = deviceToken();
    await def.messaging!.send(ctx, message(to));
    // the access tokens Google issued stop working (expired early / revoked)
    const ex = await fetch(`${sandbox().url}/fcm/__expire`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_email: sa.client_email }),
    });
    expect(await ex.json()).toEqual({ expired: 1 });
    const e = await sendError(def.messaging!.send(ctx, message(to)));
    expect(e.kind).toBe("transient");
    expect(e.opts.code).toBe("UNAUTHENTICATED");
    expect(await tokenRequestsOf(sa.client_email)).toHaveLength(1);

    const ok = await def.messaging!.send(ctx, message(to));
    expect(ok.status).toBe("sent");
    expect(await tokenRequestsOf(sa.client_email)).toHaveLength(2);
    const auths = (await sendRequestsTo(to)).map((s) => s.headers.authorization);
    expect(auths).toHaveLength(3);
    expect(auths[1]).toBe(auths[0]);
    expect(auths[2]).not.toBe(auths[0]);
  });

  it("429 QUOTA_EXCEEDED and 503 are transient with Retry-After; 500 without it", async () => {
    const { ctx } = await fcmIntegration();
    await def.messaging!.send(ctx, message(deviceToken())); // token cached: faults hit the send
    await fault({ provider: "fcm", path: "messages:send", status: 429, retryAfter: 30 });
    const q = await sendError(def.messaging!.send(ctx, message(deviceToken())));
    expect(q.kind).toBe("transient");
    expect(q.opts).toMatchObject({ code: "QUOTA_EXCEEDED", retryAfterSeconds: 30 });
    expect(q.message).toBe("FCM is rate limiting this project (429 QUOTA_EXCEEDED): retry in 30 s");

    await fault({ provider: "fcm", path: "messages:send", status: 503, retryAfter: 7 });
    const u = await sendError(def.messaging!.send(ctx, message(deviceToken())));
    expect(u.kind).toBe("transient");
    expect(u.opts).toMatchObject({ code: "UNAVAILABLE", retryAfterSeconds: 7 });

    await fault({ provider: "fcm", path: "messages:send", status: 500 });
    const i = await sendError(def.messaging!.send(ctx, message(deviceToken())));
    expect(i.kind).toBe("transient");
    expect(i.opts).toMatchObject({ code: "INTERNAL" });
    expect(i.opts.retryAfterSeconds).toBeUndefined();
    // a send is not idempotent at FCM: one attempt each, the outbox decides about retrying
    const logs = await db.integrationLog.findMany({ where: { integrationId: ctx.integration.id, action: "fcm.send" }, orderBy: { id: "asc" } });
    expect(logs.map((l) => l.statusCode)).toEqual([200, 429, 503, 500]);
  });

  it("a send FCM does not answer in time: transient", async () => {
    const { ctx } = await fcmIntegration();
    await fault({ provider: "fcm", path: "messages:send", delayMs: 4000, status: 200 });
    const e = await sendError(def.messaging!.send(ctx, message(deviceToken())));
    expect(e.kind).toBe("transient");
    expect(e.opts.code).toBe("timeout");
    expect(e.message).toBe("FCM did not answer in time");
  }, 15_000);

  it("Test connection gets a fresh access token and names the project and account", async () => {
    const { row, sa, ctx } = await fcmIntegration();
    await def.messaging!.send(ctx, message(deviceToken())); // a cached token must not make the test skip the call
    const t = await testIntegration(row.id, system);
    expect(t).toMatchObject({ ok: true, message: `Connected: project ${PROJECT} as ${sa.client_email}` });
    expect(await tokenRequestsOf(sa.client_email)).toHaveLength(2);
    expect((await getIntegrationRow(row.id)).state).toMatchObject({ account: { projectId: PROJECT, clientEmail: sa.client_email } });
  });

  it("keeps the assertion, the access token and the private key out of integration_logs", async () => {
    const { row, sa, ctx } = await fcmIntegration();
    const to = deviceToken();
    await testIntegration(row.id, system);
    await def.messaging!.send(ctx, message(to));
    await fetch(`${sandbox().url}/fcm/__expire`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_email: sa.client_email }) });
    await def.messaging!.send(ctx, message(to)).catch(() => {}); // a 401: its log row too

    const assertions = (await tokenRequestsOf(sa.client_email)).map((r) => new URLSearchParams(r.body).get("assertion")!);
    const accessTokens = (await sendRequestsTo(to)).map((r) => r.headers.authorization.replace(/^Bearer /, ""));
    expect(assertions.length).toBeGreaterThan(0);
    expect(accessTokens.length).toBe(2);
    const keyLine = sa.private_key.split("\n")[5]; // a line from the middle of the PEM

    const logs = await db.integrationLog.findMany({ where: { integrationId: row.id }, orderBy: { id: "asc" } });
    expect(logs.map((l) => l.action)).toEqual(["fcm.token", "fcm.send", "fcm.send"]);
    const all = jsonOf(logs);
    for (const s of [...assertions, ...accessTokens, keyLine, sa.private_key_id]) expect(all).not.toContain(s);
    // what is kept is still useful: the grant type, the message, FCM's answers
    const tokenLog = logs[0] as unknown as { request: { body: Record<string, string> }; response: { body: Record<string, unknown> } };
    expect(tokenLog.request.body).toMatchObject({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: "[REDACTED]" });
    expect(tokenLog.response.body).toMatchObject({ access_token: "[REDACTED]", expires_in: 3599 });
    expect(logs[1]).toMatchObject({ statusCode: 200, url: `${sandbox().url}/fcm/v1/projects/${PROJECT}/messages:send` });
    expect(logs[2]).toMatchObject({ statusCode: 401, status: "error" });
  });

  it("refuses a pasted JSON that is not a service-account key, with a sentence saying where to get one", async () => {
    const attempt = (json: string) =>
      createIntegration({ provider: "fcm", name: "Bad push", mode: "sandbox", credentials: { serviceAccountJson: json } }, system).then(
        () => null,
        (e: { status: number; details: { path: string; message: string }[] }) => e,
      );
    const notJson = await attempt("AAAA:server-key-from-the-legacy-api");
    expect(notJson?.status).toBe(400);
    expect(notJson?.details[0].message).toMatch(/^This is not valid JSON\. Paste the whole service-account JSON from Firebase console → Project settings → Service accounts/);
    const wrongType = await attempt(JSON.stringify({ ...serviceAccount(), type: "authorized_user" }));
    expect(wrongType?.details[0].message).toMatch(/"type" must be "service_account"/);
    const badKey = await attempt(JSON.stringify({ ...serviceAccount(), private_key: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n" }));
    expect(badKey?.details.map((d) => d.message)).toContain("private_key could not be read as an RSA private key: paste the JSON exactly as downloaded");
    const noEmail = await attempt(JSON.stringify({ ...serviceAccount(), client_email: undefined }));
    expect(noEmail?.details[0].message).toMatch(/^client_email is missing/);
  });
});

describe("fcm sandbox", () => {
  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${sandbox().url}/fcm${path}`, { method: "POST", headers, body });
  const jwt = (header: object, claims: object) =>
    `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.c2ln`;
  const form = { "content-type": "application/x-www-form-urlencoded" };
  const grant = (assertion: string) => new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }).toString();

  it("checks the assertion's alg, audience, scope and lifetime like Google's token endpoint", async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = { iss: `x@${PROJECT}.iam.gserviceaccount.com`, scope: "https://www.googleapis.com/auth/firebase.messaging", aud: `${sandbox().url}/fcm/token`, iat: now, exp: now + 3600 };
    const ok = await post("/token", grant(jwt({ alg: "RS256" }, good)), form);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ access_token: expect.stringMatching(/^ya29\./), expires_in: 3599, token_type: "Bearer" });

    const cases: [object, object, string][] = [
      [{ alg: "HS256" }, good, "invalid_grant"],
      [{ alg: "RS256" }, { ...good, aud: "https://oauth2.googleapis.com/token" }, "invalid_grant"],
      [{ alg: "RS256" }, { ...good, scope: "https://www.googleapis.com/auth/drive" }, "invalid_scope"],
      [{ alg: "RS256" }, { ...good, exp: now + 7200 }, "invalid_grant"],
      [{ alg: "RS256" }, { ...good, iat: now - 7200, exp: now - 3600 }, "invalid_grant"],
    ];
    for (const [h, c, error] of cases) {
      const r = await post("/token", grant(jwt(h, c)), form);
      expect(r.status).toBe(400);
      expect((await r.json()).error).toBe(error);
    }
  });

  it("answers unauthenticated sends and malformed messages with Google's error shape", async () => {
    const url = `/v1/projects/${PROJECT}/messages:send`;
    const noAuth = await post(url, JSON.stringify({ message: { token: "abc" } }), { "content-type": "application/json" });
    expect(noAuth.status).toBe(401);
    expect((await noAuth.json()).error).toMatchObject({ code: 401, status: "UNAUTHENTICATED" });

    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: `y@${PROJECT}.iam.gserviceaccount.com`, scope: "https://www.googleapis.com/auth/firebase.messaging", aud: `${sandbox().url}/fcm/token`, iat: now, exp: now + 3600 };
    const { access_token } = await (await post("/token", grant(jwt({ alg: "RS256" }, claims)), form)).json();
    const auth = { "content-type": "application/json", authorization: `Bearer ${access_token}` };

    const noToken = await post(url, JSON.stringify({ message: { notification: { body: "x" } } }), auth);
    expect(noToken.status).toBe(400);
    expect((await noToken.json()).error).toMatchObject({ status: "INVALID_ARGUMENT" });

    const numbers = await post(url, JSON.stringify({ message: { token: "abc", data: { n: 1 } } }), auth);
    expect(numbers.status).toBe(400);
    const body = await numbers.json();
    expect(body.error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
    expect(body.error.details).toContainEqual({ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: "INVALID_ARGUMENT" });

    const gone = await post(url, JSON.stringify({ message: { token: "unregistered-1" } }), auth);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({
      error: {
        code: 404,
        message: "Requested entity was not found.",
        status: "NOT_FOUND",
        details: [{ "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", errorCode: "UNREGISTERED" }],
      },
    });

    const otherProject = await post("/v1/projects/someone-else/messages:send", JSON.stringify({ message: { token: "abc" } }), auth);
    expect(otherProject.status).toBe(403);
  });
});
