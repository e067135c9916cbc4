// One-time secrets in messages (issue 15 item 1): an OTP, a password-reset link and anything a
// template declares secret are kept vault-encrypted until the message reaches a final state and
// masked everywhere else: the message row, every API answer (list, drawer, status), the provider
// call log. Resending such a message is refused. The sandbox inbox (a test tool) still shows it.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { db } from "@/lib/db";
import { createIntegration } from "@/lib/integrations/service";
import { forgetRoutes } from "@/lib/integrations/cache";
import * as smsSend from "@/app/api/v1/sms/send/route";
import * as smsBulk from "@/app/api/v1/sms/bulk/route";
import * as smsStatus from "@/app/api/v1/sms/[id]/status/route";
import * as otpSend from "@/app/api/v1/sms/otp/route";
import * as otpVerify from "@/app/api/v1/sms/otp/verify/route";
import * as messagesList from "@/app/api/v1/messages/route";
import * as messageOne from "@/app/api/v1/messages/[id]/route";
import * as resend from "@/app/api/v1/messages/[id]/resend/route";
import * as templates from "@/app/api/v1/templates/route";
import * as logsList from "@/app/api/v1/logs/route";
import * as logOne from "@/app/api/v1/logs/[id]/route";
import { call } from "../helpers/http";
import { createKey, createUser, fault, sandbox, system } from "../helpers/fixtures";
import { FAST_OUTBOX_ENV, runWorkers } from "../helpers/workers";
import { waitFor } from "../helpers/wait";

runWorkers({ webhooks: true, env: { ...FAST_OUTBOX_ENV, MESSAGE_RETRY_BASE_SECONDS: "0.5", MESSAGE_MAX_ATTEMPTS_PER_PROVIDER: "3" } });
let sender: { key: string };
beforeAll(async () => {
  sender = await createKey(["messages:send", "messages:read"]);
});

/** JSON of database rows (log ids are bigints) */
const jsonOf = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
const hex = (n: number) => randomBytes(n).toString("hex");
async function twilio() {
  await db.integration.deleteMany({ where: { provider: { in: ["twilio", "smsru", "sendgrid", "smtp", "fcm", "telegram"] } } });
  forgetRoutes();
  return createIntegration(
    { provider: "twilio", name: `Twilio secret ${hex(3)}`, mode: "sandbox", credentials: { accountSid: `AC${hex(16)}`, authToken: hex(16) }, config: { from: "+15005550006" } },
    system,
  );
}

const post = (handler: unknown, url: string, body: unknown, auth: Record<string, string> = { bearer: sender.key }) =>
  call(handler as never, { method: "POST", url, body, ...auth });

const resendIt = (id: string, auth: Record<string, string> = { bearer: sender.key }) =>
  call(resend.POST as never, { method: "POST", url: `/api/v1/messages/${id}/resend`, params: { id }, ...auth });

async function settled(id: string, statuses = ["delivered", "failed", "undelivered"]) {
  return waitFor(async () => {
    const m = await db.message.findUnique({ where: { id } });
    return m && statuses.includes(m.status) ? m : null;
  }, 20_000, `message ${id} to reach ${statuses.join("/")}`);
}

const inbox = async () =>
  ((await (await fetch(`${sandbox().url}/__control/inbox?provider=twilio`)).json()) as { items: { to: string; summary: string }[] }).items;

/** Every answer a viewer, a dispatcher and read-only keys get about the message and its provider calls. */
async function everyAnswer(messageId: string, to: string): Promise<string[]> {
  const viewer = await createUser("viewer");
  const dispatcher = await createUser("dispatcher");
  const reader = await createKey(["messages:read"]);
  const logReader = await createKey(["logs:read"]);
  const texts: string[] = [];
  for (const auth of [{ cookie: viewer.cookie }, { cookie: dispatcher.cookie }, { bearer: reader.key }]) {
    const list = await call(messagesList.GET as never, { url: `/api/v1/messages?to=${encodeURIComponent(to)}`, ...auth });
    expect(list.status).toBe(200);
    expect(list.json.items.map((m: { id: string }) => m.id)).toContain(messageId);
    const one = await call(messageOne.GET as never, { url: `/api/v1/messages/${messageId}`, params: { id: messageId }, ...auth });
    expect(one.status).toBe(200);
    expect(one.json.logs.length).toBeGreaterThan(0);
    const st = await call(smsStatus.GET as never, { url: `/api/v1/sms/${messageId}/status`, params: { id: messageId }, ...auth });
    expect(st.status).toBe(200);
    texts.push(list.text, one.text, st.text);
  }
  for (const auth of [{ cookie: viewer.cookie }, { cookie: dispatcher.cookie }, { bearer: logReader.key }]) {
    const logs = await call(logsList.GET as never, { url: `/api/v1/logs?q=${messageId}`, ...auth });
    expect(logs.status).toBe(200);
    expect(logs.json.items.length).toBeGreaterThan(0);
    texts.push(logs.text);
    for (const l of logs.json.items as { id: string }[]) {
      const one = await call(logOne.GET as never, { url: `/api/v1/logs/${l.id}`, params: { id: l.id }, ...auth });
      expect(one.status).toBe(200);
      texts.push(one.text);
    }
  }
  return texts;
}

describe("OTP messages", () => {
  beforeEach(async () => {
    await twilio();
  });

  it("keep the code encrypted until final, show and log it masked to every reader, still verify, and refuse a resend", async () => {
    // the first attempt is refused (429): the message waits queued, with its text encrypted, for a retry
    await fault({ provider: "twilio", path: "Messages.json$", method: "POST", status: 429, retryAfter: 1, times: 1 });
    const phone = "+79161239001";
    const sent = await post(otpSend.POST, "/api/v1/sms/otp", { phone, purpose: "login", length: 8, text: "Switchboard code {{code}}, valid {{minutes}} min." });
    expect(sent.status).toBe(202);
    const pending = await db.message.findUniqueOrThrow({ where: { id: sent.json.messageId } });
    expect(pending.secret).toBe(true);
    expect(pending.body).toMatch(/^Switchboard code ••••••, valid \d+ min\.$/);
    expect(pending.sealed).toBeTruthy();

    const m = await settled(sent.json.messageId);
    expect(m.status).toBe("delivered");
    expect(m.attempts).toBe(2); // the retry read the encrypted text
    const sms = (await inbox()).find((i) => i.to === phone)!;
    const code = /code (\d{8})/.exec(sms.summary)![1]; // the sandbox's inbox is a test tool: it shows what the phone got
    expect(JSON.stringify(pending)).not.toContain(code);
    expect(m.body).toBe(pending.body);
    expect(m.sealed).toBeNull(); // final: the encrypted original is gone
    expect(JSON.stringify(m)).not.toContain(code);
    // the provider call log: Twilio's Body form field (and its echo in the answer) masked
    const logs = await db.integrationLog.findMany({ where: { relatedType: "message", relatedId: m.id } });
    expect(jsonOf(logs)).not.toContain(code);
    const bodies = logs.map((l) => (l.request as { body?: { Body?: string } }).body?.Body).filter(Boolean);
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    for (const b of bodies) expect(b).toMatch(/^Switchboard code \[REDACTED\], valid \d+ min\.$/);

    for (const text of await everyAnswer(m.id, phone)) expect(text).not.toContain(code);

    const ok = await post(otpVerify.POST, "/api/v1/sms/otp/verify", { phone, code });
    expect(ok.json).toMatchObject({ valid: true });

    const admin = await createUser("admin");
    for (const auth of [{ bearer: sender.key }, { cookie: admin.cookie }] as Record<string, string>[]) {
      const again = await resendIt(m.id, auth);
      expect(again.status).toBe(409);
      expect(again.json.error.message).toMatch(/ask for a new code/i);
    }
    expect(await db.message.count({ where: { recipient: phone } })).toBe(1);
  });
});

describe("templates that carry a secret", () => {
  beforeEach(async () => {
    await twilio();
  });

  it("the built-in password reset link is masked in the row, the answers and the log", async () => {
    const phone = "+79161239002";
    const url = `https://crm.example.test/reset/${hex(16)}`;
    const sent = await post(smsSend.POST, "/api/v1/sms/send", { to: phone, template: "password_reset", data: { name: "Anna", reset_url: url } });
    expect(sent.status).toBe(202);
    const m = await settled(sent.json.id);
    expect((await inbox()).find((i) => i.to === phone)!.summary).toContain(url);
    expect(m.body).toBe("Reset your password: ••••••");
    expect(JSON.stringify(m)).not.toContain(url);
    expect(jsonOf(await db.integrationLog.findMany({ where: { relatedId: m.id } }))).not.toContain(url);
    for (const text of await everyAnswer(m.id, phone)) expect(text).not.toContain(url);
    const again = await resendIt(m.id);
    expect(again.status).toBe(409);
  });

  it("a bulk send with the reset template stores every message masked and sends each its own link", async () => {
    const admin = await createUser("admin");
    const urls = [1, 2].map(() => `https://crm.example.test/reset/${hex(16)}`);
    const phones = ["+79161239011", "+79161239012"];
    const res = await post(
      smsBulk.POST,
      "/api/v1/sms/bulk",
      { template: "password_reset", data: { name: "Team" }, recipients: phones.map((to, i) => ({ to, data: { reset_url: urls[i] } })) },
      { cookie: admin.cookie },
    );
    expect(res.status).toBe(202);
    const rows = await db.message.findMany({ where: { batchId: res.json.id } });
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r).toMatchObject({ secret: true, body: "Reset your password: ••••••" });
      expect(jsonOf(r)).not.toMatch(/reset\/[0-9a-f]{32}/);
    }
    await Promise.all(rows.map((r) => settled(r.id)));
    const got = await inbox();
    for (const [i, to] of phones.entries()) expect(got.find((g) => g.to === to)!.summary).toContain(urls[i]);
  });

  it("a template an admin declares secret masks its secret variables only", async () => {
    const admin = await createUser("admin");
    const key = `pin_${hex(3)}`;
    const created = await post(
      templates.POST,
      "/api/v1/templates",
      { key, channel: "sms", name: "Door PIN", body: "Hi {{name}}, the door PIN is {{pin}}", variables: ["name", "pin"], secret: true, secretVariables: ["pin"] },
      { cookie: admin.cookie },
    );
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ secret: true, secretVariables: ["pin"] });
    const phone = "+79161239003";
    const pin = String(10_000_000 + Math.floor(Math.random() * 89_999_999));
    const sent = await post(smsSend.POST, "/api/v1/sms/send", { to: phone, template: key, data: { name: "Ivan", pin } });
    const m = await settled(sent.json.id);
    expect(m.body).toBe("Hi Ivan, the door PIN is ••••••");
    expect((await inbox()).find((i) => i.to === phone)!.summary).toContain(pin);
    expect(JSON.stringify(m)).not.toContain(pin);
    expect(jsonOf(await db.integrationLog.findMany({ where: { relatedId: m.id } }))).not.toContain(pin);
    for (const text of await everyAnswer(m.id, phone)) expect(text).not.toContain(pin);
    // an unknown secret variable is refused
    const bad = await post(
      templates.POST,
      "/api/v1/templates",
      { key: `${key}_x`, channel: "sms", name: "Bad", body: "{{pin}}", variables: ["pin"], secret: true, secretVariables: ["pni"] },
      { cookie: admin.cookie },
    );
    expect(bad.status).toBe(400);
    expect(bad.json.error.details[0].path).toMatch(/secretVariables/);
  });

  it("an ordinary message is unchanged: shown in full and resendable", async () => {
    const phone = "+79161239004";
    const sent = await post(smsSend.POST, "/api/v1/sms/send", { to: phone, text: "Driver arrives at 14:05" });
    const m = await settled(sent.json.id);
    expect(m).toMatchObject({ secret: false, body: "Driver arrives at 14:05", sealed: null });
    const again = await resendIt(m.id);
    expect(again.json).toMatchObject({ status: "queued" });
    expect(again.status).toBe(202);
  });
});
