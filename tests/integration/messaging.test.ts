// The outbox end to end: the HTTP API, a real PostgreSQL, pg-boss and real workers, the
// providers' real clients against their sandboxes, and the sandboxes' signed callbacks coming
// back over HTTP through the webhook inbox. Retries, fallback to the next integration,
// permanent failures, templates with escaping, bulk sends with progress, OTP, idempotency,
// roles and scopes, and the Telegram bot's linking and commands.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomBytes, randomUUID, generateKeyPairSync } from "node:crypto";
import { db } from "@/lib/db";
import { createIntegration } from "@/lib/integrations/service";
import { forgetRoutes } from "@/lib/integrations/cache";
import { applyStatusUpdates } from "@/lib/messaging/outbox";
import { sendgridSandboxPublicKey } from "@/lib/providers/sendgrid/sandbox";
import * as smsSend from "@/app/api/v1/sms/send/route";
import * as smsBulk from "@/app/api/v1/sms/bulk/route";
import * as smsStatus from "@/app/api/v1/sms/[id]/status/route";
import * as otpSend from "@/app/api/v1/sms/otp/route";
import * as otpVerify from "@/app/api/v1/sms/otp/verify/route";
import * as emailSend from "@/app/api/v1/email/send/route";
import * as emailTemplate from "@/app/api/v1/email/send-template/route";
import * as pushSend from "@/app/api/v1/push/send/route";
import * as registerToken from "@/app/api/v1/push/register-token/route";
import * as messagesList from "@/app/api/v1/messages/route";
import * as messageOne from "@/app/api/v1/messages/[id]/route";
import * as resend from "@/app/api/v1/messages/[id]/resend/route";
import * as batchOne from "@/app/api/v1/messages/batches/[id]/route";
import * as templates from "@/app/api/v1/templates/route";
import * as templateOne from "@/app/api/v1/templates/[id]/route";
import * as preview from "@/app/api/v1/templates/preview/route";
import * as tgLink from "@/app/api/v1/telegram/link/route";
import * as notifyAssigned from "@/app/api/v1/notify/order-assigned/route";
import * as notifyStatus from "@/app/api/v1/notify/order-status/route";
import * as notifyPayment from "@/app/api/v1/notify/payment-confirmation/route";
import * as notifyUrgent from "@/app/api/v1/notify/urgent/route";
import * as messageStats from "@/app/api/v1/messages/stats/route";
import * as batchList from "@/app/api/v1/messages/batches/route";
import * as emailBulk from "@/app/api/v1/email/bulk/route";
import * as whatsappSend from "@/app/api/v1/whatsapp/send/route";
import * as telegramSend from "@/app/api/v1/telegram/send/route";
import * as sandboxInbox from "@/app/api/v1/sandbox/inbox/route";
import * as webhookRoute from "@/app/api/webhooks/[provider]/[code]/route";
import { call } from "../helpers/http";
import { createKey, createUser, fault, sandbox, system, telegramIntegration } from "../helpers/fixtures";
import { FAST_OUTBOX_ENV, runWorkers } from "../helpers/workers";
import { waitFor } from "../helpers/wait";

runWorkers({
  webhooks: true,
  env: { ...FAST_OUTBOX_ENV, MESSAGE_RETRY_BASE_SECONDS: "0.1", MESSAGE_MAX_ATTEMPTS_PER_PROVIDER: "2", MESSAGE_STATUS_POLL_SECONDS: "0.5" },
});
let sender: { key: string; row: { id: string } };
beforeAll(async () => {
  sender = await createKey(["messages:send", "messages:read", "messages:bulk", "push:register", "templates:read"]);
});

const hex = (n: number) => randomBytes(n).toString("hex");
let n = 0;
async function twilio(priority = 100, config: Record<string, unknown> = { from: "+15005550006" }) {
  return createIntegration(
    { provider: "twilio", name: `Twilio ${++n}`, mode: "sandbox", priority, credentials: { accountSid: `AC${hex(16)}`, authToken: hex(16) }, config },
    system,
  );
}
async function smsru(priority = 100) {
  return createIntegration({ provider: "smsru", name: `SMS.ru ${++n}`, mode: "sandbox", priority, credentials: { apiId: randomUUID().toUpperCase() }, config: {} }, system);
}
async function sendgrid() {
  return createIntegration(
    {
      provider: "sendgrid",
      name: `SendGrid ${++n}`,
      mode: "sandbox",
      credentials: { apiKey: `SG.${randomBytes(16).toString("base64url")}.${randomBytes(32).toString("base64url")}`, webhookPublicKey: sendgridSandboxPublicKey() },
      config: { fromEmail: "noreply@transfers.test", fromName: "Transfers" },
    },
    system,
  );
}
/** only the given integrations exist for their channels */
async function onlyThese() {
  await db.integration.deleteMany({ where: { provider: { in: ["twilio", "smsru", "sendgrid", "smtp", "fcm", "telegram"] } } });
  forgetRoutes();
}

const post = (handler: unknown, url: string, body: unknown, headers: Record<string, string> = {}) =>
  call(handler as never, { method: "POST", url, body, bearer: sender.key, headers });
const get = (handler: unknown, url: string, params: Record<string, string> = {}) => call(handler as never, { url, bearer: sender.key, params });

async function settled(id: string, statuses: string[] = ["sent", "delivered", "failed", "undelivered"]) {
  return waitFor(async () => {
    const m = await db.message.findUnique({ where: { id } });
    return m && statuses.includes(m.status) ? m : null;
  }, 20_000, `message ${id} to reach ${statuses.join("/")}`);
}

const inbox = async (provider: string) =>
  ((await (await fetch(`${sandbox().url}/__control/inbox?provider=${provider}`)).json()) as { items: { to: string; summary: string; payload: any }[] }).items;

describe("sending SMS through the outbox", () => {
  beforeEach(onlyThese);

  it("stores the message, sends it with a job and follows Twilio's signed callbacks to delivered", async () => {
    const tw = await twilio();
    const res = await post(smsSend.POST, "/api/v1/sms/send", { to: "+7 916 123-45-67", text: "Driver arrives at 14:05" });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: "queued", channel: "sms", to: "+79161234567" });
    const m = await settled(res.json.id, ["delivered"]);
    expect(m.integrationId).toBe(tw.id);
    expect(m.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(m.attempts).toBe(1);
    const events = (m.history as { event: string; source?: string }[]).map((h) => h.event);
    expect(events[0]).toBe("queued");
    expect(events).toContain("sent");
    expect(events).toContain("delivered");
    // the callbacks went through the inbox, verified
    // (the message can read delivered a moment before the inbox has written the event's own outcome,
    // and a "sent" callback that beat the send's outcome is retried: wait for the inbox to settle)
    const hooksStored = await waitFor(async () => {
      const rows = await db.webhookEvent.findMany({ where: { integrationId: tw.id } });
      return rows.length >= 2 && rows.every((h) => h.status === "completed") ? rows : null;
    }, 15_000, "the callbacks to be processed");
    expect(hooksStored.every((h) => h.signatureVerified)).toBe(true);
    expect((await inbox("twilio")).some((i) => i.to === "+79161234567")).toBe(true);
    // the API's view and the status endpoint
    const one = await get(messageOne.GET, `/api/v1/messages/${m.id}`, { id: m.id });
    expect(one.json).toMatchObject({ status: "delivered", provider: "twilio" });
    expect(one.json.logs.some((l: { action: string }) => l.action.startsWith("twilio"))).toBe(true);
    const st = await get(smsStatus.GET, `/api/v1/sms/${m.id}/status`, { id: m.id });
    expect(st.json).toMatchObject({ id: m.id, status: "delivered" });
  });

  it("rejects an invalid number with a clear error and stores nothing", async () => {
    await twilio();
    const before = await db.message.count();
    for (const to of ["12345", "+7 916", "not a phone"]) {
      const res = await post(smsSend.POST, "/api/v1/sms/send", { to, text: "x" });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("validation_failed");
      expect(res.json.error.details[0].path).toBe("to");
    }
    expect(await db.message.count()).toBe(before);
  });

  it("retries a 429 with backoff on the same provider, then succeeds", async () => {
    const tw = await twilio();
    await fault({ provider: "twilio", path: "Messages.json$", method: "POST", status: 429, retryAfter: 1, times: 1 });
    const res = await post(smsSend.POST, "/api/v1/sms/send", { to: "+79161234568", text: "retry me" });
    const m = await settled(res.json.id, ["sent", "delivered"]);
    expect(m.integrationId).toBe(tw.id);
    expect(m.attempts).toBe(2);
    const h = m.history as { event: string; kind?: string }[];
    expect(h.find((x) => x.event === "attempt_failed")?.kind).toBe("transient");
    expect(h.some((x) => x.event === "retry_scheduled")).toBe(true);
  });

  it("falls back to the next integration after the first keeps failing with 5xx", async () => {
    const first = await twilio(1);
    const second = await smsru(2);
    await fault({ provider: "twilio", path: "Messages.json$", method: "POST", status: 503, times: 10 });
    const res = await post(smsSend.POST, "/api/v1/sms/send", { to: "+79161234569", text: "fallback" });
    const m = await settled(res.json.id, ["sent", "delivered"]);
    expect(m.integrationId).toBe(second.id);
    expect(m.route).toEqual([first.id, second.id]);
    expect(m.attempts).toBe(3); // two on Twilio (MESSAGE_MAX_ATTEMPTS_PER_PROVIDER), one on SMS.ru
    expect((m.history as { event: string }[]).map((h) => h.event)).toContain("fallback");
    // SMS.ru has no callbacks: the poller finds the delivery
    await settled(m.id, ["delivered"]);
  });

  it("fails a permanent error at once, without retrying or falling back", async () => {
    await twilio(1);
    await smsru(2);
    const res = await post(smsSend.POST, "/api/v1/sms/send", { to: "+15005550004", text: "unsubscribed" });
    const m = await settled(res.json.id, ["failed"]);
    expect(m.attempts).toBe(1);
    expect(m.errorCode).toBe("twilio_21610");
    expect(m.error).toBeTruthy();
    expect((m.history as { event: string }[]).some((h) => h.event === "fallback")).toBe(false);
  });

  it("fails with a clear reason when no integration can send on the channel", async () => {
    const res = await post(smsSend.POST, "/api/v1/sms/send", { to: "+79161234570", text: "nobody" });
    const m = await settled(res.json.id, ["failed"]);
    expect(m.errorCode).toBe("no_integration");
    expect(m.error).toMatch(/No active sms integration/);
  });

  it("gives up after the last integration's attempts and keeps the last error", async () => {
    await twilio(1);
    await fault({ provider: "twilio", path: "Messages.json$", method: "POST", status: 500, times: 10 });
    const res = await post(smsSend.POST, "/api/v1/sms/send", { to: "+79161234571", text: "doomed" });
    const m = await settled(res.json.id, ["failed"]);
    expect(m.attempts).toBe(2);
    expect(m.errorCode).toMatch(/twilio|transient|http/i);
  });

  it("answers a retried request with the same Idempotency-Key with the first message", async () => {
    await twilio();
    const key = randomUUID();
    const a = await post(smsSend.POST, "/api/v1/sms/send", { to: "+79161234572", text: "once" }, { "idempotency-key": key });
    const b = await post(smsSend.POST, "/api/v1/sms/send", { to: "+79161234572", text: "once" }, { "idempotency-key": key });
    expect(b.json.id).toBe(a.json.id);
    expect(b.json.replayed).toBe(true);
    // the message keeps the key scoped to its caller (lib/idempotency.ts)
    expect(await db.message.count({ where: { idempotencyKey: `api_key:${sender.row.id}:${key}` } })).toBe(1);
    // …which, like the worker's bookkeeping, is not part of the message an API reader sees
    const one = await get(messageOne.GET, `/api/v1/messages/${a.json.id}`, { id: a.json.id });
    expect(one.status).toBe(200);
    for (const internal of ["idempotencyKey", "sealed", "lockedUntil", "queuedAt", "jobId", "routeAttempts"]) expect(one.json).not.toHaveProperty(internal);
    expect(JSON.stringify(one.json)).not.toContain(key);
  });

  it("never moves a status backwards (a late 'sent' after 'delivered')", async () => {
    const tw = await twilio();
    const res = await post(smsSend.POST, "/api/v1/sms/send", { to: "+79161234573", text: "order" });
    const m = await settled(res.json.id, ["delivered"]);
    await applyStatusUpdates(tw.id, [{ providerMessageId: m.providerMessageId!, status: "sent", event: "sent" }]);
    const after = await db.message.findUniqueOrThrow({ where: { id: m.id } });
    expect(after.status).toBe("delivered");
    expect((after.history as unknown[]).length).toBe((m.history as unknown[]).length + 1);
  });

  it("resends a message as a new one", async () => {
    await twilio();
    const res = await post(smsSend.POST, "/api/v1/sms/send", { to: "+79161234574", text: "again" });
    await settled(res.json.id);
    const again = await call(resend.POST as never, { method: "POST", url: `/api/v1/messages/${res.json.id}/resend`, params: { id: res.json.id }, bearer: sender.key });
    expect(again.status).toBe(202);
    expect(again.json.id).not.toBe(res.json.id);
    await settled(again.json.id);
  });
});

describe("bulk sends", () => {
  beforeEach(onlyThese);

  it("queues every recipient with its own template data, respects the rate limit and reports progress to 100 %", async () => {
    await twilio(1, { from: "+15005550006", ratePerSecond: 20 });
    const recipients = Array.from({ length: 30 }, (_, i) => ({ to: `+7916555${String(i).padStart(4, "0")}`, data: { name: `Client ${i}` } }));
    const started = Date.now();
    const res = await post(smsBulk.POST, "/api/v1/sms/bulk", { name: "December promo", template: "user_registration", data: { company: "Transfers" }, recipients });
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ total: 30, channel: "sms" });
    const done = await waitFor(async () => {
      const p = await get(batchOne.GET, `/api/v1/messages/batches/${res.json.id}`, { id: res.json.id });
      return p.json.processed === 30 ? p.json : null;
    }, 30_000, "bulk send");
    expect(done.percent).toBe(100);
    expect(done.byStatus.failed).toBe(0);
    // 30 sends at 20/s take at least one second
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const bodies = (await inbox("twilio")).filter((i) => i.to.startsWith("+7916555")).map((i) => i.summary);
    expect(bodies).toContain("Client 7, welcome to Transfers! Your account is ready.");
    expect(new Set(bodies).size).toBe(30);
  });

  it("refuses the whole bulk send when a recipient is invalid, naming it", async () => {
    const batches = await db.messageBatch.count();
    const messages = await db.message.count();
    const res = await post(smsBulk.POST, "/api/v1/sms/bulk", { text: "hi", recipients: ["+79161234575", "nope", "+79161234576"] });
    expect(res.status).toBe(400);
    expect(res.json.error.details).toEqual([expect.objectContaining({ path: "recipients.1.to" })]);
    expect(await db.messageBatch.count()).toBe(batches);
    expect(await db.message.count()).toBe(messages);
  });
});

describe("e-mail", () => {
  beforeEach(onlyThese);

  it("renders a template with variables HTML-escaped in the HTML part only, and follows SendGrid's signed events", async () => {
    await sendgrid();
    const res = await post(emailTemplate.POST, "/api/v1/email/send-template", {
      to: "Anna@Example.com",
      template: "application_status_changed",
      data: { name: "<b>Anna</b> & co", number: "A-1", status: "completed" },
    });
    expect(res.status).toBe(202);
    const m = await settled(res.json.id, ["delivered"]);
    expect(m.recipient).toBe("anna@example.com");
    expect(m.subject).toBe("Order A-1: completed");
    expect(m.html).toContain("&lt;b&gt;Anna&lt;/b&gt; &amp; co");
    expect(m.body).toContain("<b>Anna</b> & co");
    const mail = (await inbox("sendgrid")).find((i) => i.to.includes("anna@example.com"));
    expect(mail?.payload.html).toContain("&lt;b&gt;Anna");
  });

  it("names the missing template variable", async () => {
    const res = await post(emailTemplate.POST, "/api/v1/email/send-template", { to: "a@example.com", template: "password_reset", data: { name: "A" } });
    expect(res.status).toBe(400);
    expect(res.json.error.details).toEqual([expect.objectContaining({ path: "template" })]);
    expect(res.json.error.details[0].message).toMatch(/reset_url/);
  });

  it("validates e-mail addresses and subjects", async () => {
    const bad = await post(emailSend.POST, "/api/v1/email/send", { to: "not-an-email", subject: "s", text: "t" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details[0].path).toBe("to");
    const noSubject = await post(emailSend.POST, "/api/v1/email/send", { to: "a@example.com", text: "t" });
    expect(noSubject.status).toBe(400);
    expect(noSubject.json.error.details[0].path).toBe("subject");
  });

  it("marks a bounce as undelivered with the reason", async () => {
    await sendgrid();
    const res = await post(emailSend.POST, "/api/v1/email/send", { to: "bounce@example.com", subject: "Hi", text: "t", html: "<p>t</p>" });
    const m = await settled(res.json.id, ["undelivered"]);
    expect(m.error).toBeTruthy();
  });
});

describe("templates API", () => {
  it("lists the seed's set, previews unsaved text and protects built-ins", async () => {
    const admin = await createUser("admin");
    const list = await call(templates.GET as never, { url: "/api/v1/templates", cookie: admin.cookie });
    const keys = new Set(list.json.items.map((t: { key: string }) => t.key));
    for (const k of ["user_registration", "password_reset", "application_assigned", "application_status_changed", "payment_notification", "weekly_report"]) expect(keys.has(k)).toBe(true);
    const pv = await call(preview.POST as never, {
      method: "POST",
      url: "/api/v1/templates/preview",
      cookie: admin.cookie,
      body: { channel: "email", subject: "Hi {{name}}", body: "Text {{name}}", html: "<p>{{name}}</p>", variables: ["name", "order"], data: { name: "<i>x</i>" } },
    });
    expect(pv.json).toMatchObject({ subject: "Hi <i>x</i>", text: "Text <i>x</i>", html: "<p>&lt;i&gt;x&lt;/i&gt;</p>", missing: ["order"] });
    const broken = await call(preview.POST as never, { method: "POST", url: "/api/v1/templates/preview", cookie: admin.cookie, body: { body: "{{#if}}" } });
    expect(broken.status).toBe(400);
    const builtin = list.json.items.find((t: { builtin: boolean }) => t.builtin);
    const del = await call(templateOne.DELETE as never, { method: "DELETE", url: `/api/v1/templates/${builtin.id}`, params: { id: builtin.id }, cookie: admin.cookie });
    expect(del.status).toBe(409);
    const viewer = await createUser("viewer");
    const edit = await call(templateOne.PATCH as never, { method: "PATCH", url: `/api/v1/templates/${builtin.id}`, params: { id: builtin.id }, cookie: viewer.cookie, body: { body: "x" } });
    expect(edit.status).toBe(403);
  });
});

describe("OTP", () => {
  beforeEach(onlyThese);

  it("sends a code by SMS, keeps only its hash, limits guesses and works once", async () => {
    await twilio();
    const sent = await post(otpSend.POST, "/api/v1/sms/otp", { phone: "+79161230001", purpose: "login" });
    expect(sent.status).toBe(202);
    const row = await db.otpCode.findUniqueOrThrow({ where: { id: sent.json.id } });
    await settled(sent.json.messageId);
    const sms = (await inbox("twilio")).find((i) => i.to === "+79161230001")!;
    const code = /\d{6}/.exec(sms.summary)![0];
    expect(row.codeHash).not.toContain(code);
    // the SMS row is a secret message: masked, its text sealed (tests/integration/secret-messages.test.ts)
    expect(JSON.stringify(await db.message.findUniqueOrThrow({ where: { id: sent.json.messageId } }))).not.toContain(code);
    const wrong = await post(otpVerify.POST, "/api/v1/sms/otp/verify", { phone: "+79161230001", code: code === "000000" ? "111111" : "000000" });
    expect(wrong.json).toMatchObject({ valid: false, reason: "wrong_code", attemptsLeft: 4 });
    const right = await post(otpVerify.POST, "/api/v1/sms/otp/verify", { phone: "+79161230001", code });
    expect(right.json).toMatchObject({ valid: true });
    const again = await post(otpVerify.POST, "/api/v1/sms/otp/verify", { phone: "+79161230001", code });
    expect(again.json.valid).toBe(false);
  });

  it("locks a code after too many wrong guesses", async () => {
    await twilio();
    await post(otpSend.POST, "/api/v1/sms/otp", { phone: "+79161230002" });
    const results = [];
    for (let i = 0; i < 6; i++) results.push((await post(otpVerify.POST, "/api/v1/sms/otp/verify", { phone: "+79161230002", code: "12345" + (i % 10) })).json);
    expect(results.at(-1)).toMatchObject({ valid: false, reason: "too_many_attempts" });
  });
});

describe("push", () => {
  beforeEach(onlyThese);

  it("sends to a driver's registered devices and removes a token FCM calls unregistered", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    await createIntegration(
      {
        provider: "fcm",
        name: "Push",
        mode: "sandbox",
        credentials: { serviceAccountJson: JSON.stringify({ type: "service_account", project_id: "demo-app", private_key: privateKey, client_email: "push@demo-app.iam.gserviceaccount.com" }) },
      },
      system,
    );
    const driver = await db.driver.create({ data: { name: "Ivan", phone: "+79031110099" } });
    for (const token of ["device-good-1", "unregistered-device-2"]) {
      const r = await post(registerToken.POST, "/api/v1/push/register-token", { token, device_type: "android", device_name: "Pixel", driver_id: driver.id }); // alias (docs/api-compat.md)
      expect(r.status).toBe(201);
    }
    const res = await post(pushSend.POST, "/api/v1/push/send", { driverId: driver.id, title: "New order", body: "A-7 at 10:00", data: { application_id: "A-7" } });
    expect(res.status).toBe(202);
    const [good, gone] = await Promise.all(res.json.messages.map((m: { id: string }) => settled(m.id)));
    expect(good.status).toBe("sent");
    expect(gone.status).toBe("failed");
    expect(await db.deviceToken.findMany({ where: { driverId: driver.id } })).toEqual([expect.objectContaining({ token: "device-good-1" })]);
  });

  it("says so when the recipient has no device", async () => {
    const driver = await db.driver.create({ data: { name: "Petr", phone: "+79031110098" } });
    const res = await post(pushSend.POST, "/api/v1/push/send", { driverId: driver.id, body: "x" });
    expect(res.status).toBe(422);
  });
});

describe("access", () => {
  it("lets viewers read but not send, and checks API key scopes", async () => {
    const viewer = await createUser("viewer");
    const v = await call(smsSend.POST as never, { method: "POST", url: "/api/v1/sms/send", cookie: viewer.cookie, body: { to: "+79161234577", text: "x" } });
    expect(v.status).toBe(403);
    const list = await call(messagesList.GET as never, { url: "/api/v1/messages", cookie: viewer.cookie });
    expect(list.status).toBe(200);
    const readOnly = await createKey(["messages:read"]);
    const k = await call(smsSend.POST as never, { method: "POST", url: "/api/v1/sms/send", bearer: readOnly.key, body: { to: "+79161234577", text: "x" } });
    expect(k.status).toBe(403);
    expect(k.json.error.message).toMatch(/messages:send/);
    const bulk = await call(smsBulk.POST as never, { method: "POST", url: "/api/v1/sms/bulk", bearer: readOnly.key, body: { text: "x", recipients: ["+79161234577"] } });
    expect(bulk.status).toBe(403);
  });

  it("filters the list by channel, status and recipient", async () => {
    const res = await get(messagesList.GET, "/api/v1/messages?channel=email&status=delivered&limit=5");
    expect(res.status).toBe(200);
    // the e-mail tests above left delivered e-mails: the filter must find them and only them
    expect(res.json.items.length).toBeGreaterThan(0);
    for (const m of res.json.items) expect(m).toMatchObject({ channel: "email", status: "delivered" });
    const byTo = await get(messagesList.GET, "/api/v1/messages?to=%2B7916123456");
    expect(byTo.json.items.length).toBeGreaterThan(0);
    for (const m of byTo.json.items) expect(m.recipient.startsWith("+7916123456")).toBe(true);
  });
});

describe("Telegram bot", () => {
  beforeEach(onlyThese);

  async function say(b: { row: { code: string }; secret: string }, chatId: number, text: string) {
    const body = JSON.stringify({
      update_id: Math.floor(Math.random() * 1e9),
      message: { message_id: 1, from: { id: chatId, is_bot: false, first_name: "D", username: `user${chatId}` }, chat: { id: chatId, type: "private" }, date: Math.floor(Date.now() / 1000), text },
    });
    const res = await call(webhookRoute.POST as never, {
      url: `/api/webhooks/telegram/${b.row.code}`,
      rawBody: body,
      params: { provider: "telegram", code: b.row.code },
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": b.secret },
    });
    expect(res.status).toBe(200);
  }

  const replyTo = (chatId: number, re: RegExp) =>
    waitFor(async () => (await inbox("telegram")).find((i) => i.to === String(chatId) && re.test(String(i.payload.text))) ?? null, 20_000, `a reply matching ${re}`);

  it("links an account with a one-time code and answers commands by role", async () => {
    const token = `7${String(Date.now()).slice(-9)}:AA${randomBytes(30).toString("base64url").replace(/[^A-Za-z0-9]/g, "x").slice(0, 33)}`;
    const secret = randomBytes(16).toString("hex");
    const { row } = await telegramIntegration({ credentials: { botToken: token, webhookSecretToken: secret } });
    const b = { row, secret };
    const viewer = await createUser("viewer");
    const chat = 500000 + Math.floor(Math.random() * 1000);

    await say(b, chat, "/status");
    await replyTo(chat, /not linked/);

    const link = await call(tgLink.POST as never, { method: "POST", url: "/api/v1/telegram/link", cookie: viewer.cookie, body: {} });
    expect(link.status).toBe(201);
    expect(link.json.command).toMatch(/^\/start [A-Z2-9]{8}$/);
    await say(b, chat, "/start WRONGCODE");
    await replyTo(chat, /not valid or has expired/);
    await say(b, chat, link.json.command);
    await replyTo(chat, /Linked to/);
    const status = await call(tgLink.GET as never, { url: "/api/v1/telegram/link", cookie: viewer.cookie });
    expect(status.json).toMatchObject({ linked: true, username: `user${chat}` });

    await db.application.create({ data: { number: `T-${chat}`, status: "assigned", pickupAddress: "Airport", dropoffAddress: "Hotel", pickupAt: new Date(Date.now() + 3600_000) } });
    await say(b, chat, "/status");
    const answer = await replyTo(chat, /Active orders/);
    expect(answer.payload.text).toContain(`T-${chat}`);
    expect(answer.payload.parse_mode).toBe("HTML");
    await say(b, chat, "/earnings");
    await replyTo(chat, /not available to your role/);

    // every reply went through the outbox, pinned to this bot
    // (the sandbox shows a reply a moment before the outbox has written its outcome)
    const replies = await waitFor(async () => {
      const rows = await db.message.findMany({ where: { channel: "telegram", recipient: String(chat) } });
      return rows.every((r) => r.status !== "queued") ? rows : null;
    }, 10_000, "the replies' outcomes");
    expect(replies.length).toBeGreaterThanOrEqual(5);
    expect(replies.every((r) => r.integrationId === row.id && r.status === "delivered")).toBe(true);
  });
});

describe("CRM helpers", () => {
  beforeEach(onlyThese);

  it("tells the driver about an assigned order by SMS with the seed's template", async () => {
    await twilio();
    const driver = await db.driver.create({ data: { name: "Oleg", phone: "+79031110097" } });
    const app = await db.application.create({
      data: { number: "A-900", status: "assigned", driverId: driver.id, pickupAddress: "Vnukovo", dropoffAddress: "Center", pickupAt: new Date("2026-12-01T09:30:00Z") },
    });
    const res = await post(notifyAssigned.POST, "/api/v1/notify/order-assigned", { applicationId: app.id, channels: ["sms", "push"] });
    expect(res.status).toBe(202);
    const sms = res.json.messages.find((m: { channel: string }) => m.channel === "sms");
    expect(res.json.messages.find((m: { channel: string }) => m.channel === "push")).toMatchObject({ skipped: expect.stringMatching(/no registered device/) });
    const m = await settled(sms.messageId);
    expect(m.body).toContain("Order A-900");
    expect(m.body).toContain("Vnukovo → Center");
    expect(m.relatedType).toBe("application");
  });

  it("never answers a driver's device token whole (POST push/send shortens it too)", async () => {
    const driver = await db.driver.create({ data: { name: "Gleb", phone: "+79031110096" } });
    const token = `device-${randomBytes(24).toString("hex")}`;
    expect((await post(registerToken.POST, "/api/v1/push/register-token", { token, deviceType: "android", driverId: driver.id })).status).toBe(201);
    const app = await db.application.create({
      data: { number: `A-${randomBytes(3).toString("hex")}`, status: "assigned", driverId: driver.id, pickupAddress: "Vnukovo", dropoffAddress: "Center", pickupAt: new Date("2026-12-01T09:30:00Z") },
    });
    const assigned = await post(notifyAssigned.POST, "/api/v1/notify/order-assigned", { applicationId: app.id, channels: ["push"] });
    expect(assigned.status).toBe(202);
    const urgent = await post(notifyUrgent.POST, "/api/v1/notify/urgent", { text: "Road closed", driverIds: [driver.id] });
    expect(urgent.status).toBe(202);
    for (const res of [assigned, urgent]) {
      const push = res.json.messages.filter((m: { channel: string }) => m.channel === "push");
      expect(push).toEqual([expect.objectContaining({ to: `${token.slice(0, 8)}…`, messageId: expect.any(String) })]);
      expect(JSON.stringify(res.json)).not.toContain(token);
    }
    // the stored message still has the whole token: the device gets its push
    expect((await db.message.findUniqueOrThrow({ where: { id: assigned.json.messages[0].messageId } })).recipient).toBe(token);
  });

  it("tells the client about their order's status and payment on every channel they have", async () => {
    await twilio();
    await sendgrid();
    const contact = await db.contact.create({ data: { firstName: "Anna", lastName: "Petrova", email: "anna.p@example.com", phone: "+79161230077" } });
    const app = await db.application.create({
      data: { number: `A-${randomBytes(3).toString("hex")}`, status: "in_progress", contactId: contact.id, pickupAddress: "Vnukovo", dropoffAddress: "Center", pickupAt: new Date("2026-12-01T09:30:00Z") },
    });
    const status = await post(notifyStatus.POST, "/api/v1/notify/order-status", { applicationId: app.id, channels: ["email", "sms", "push"] });
    expect(status.status).toBe(202);
    expect(status.json).toMatchObject({
      applicationId: app.id,
      messages: [
        { channel: "email", to: "anna.p@example.com", messageId: expect.any(String) },
        { channel: "sms", to: "+79161230077", messageId: expect.any(String) },
        { channel: "push", skipped: "clients are not reached by push" },
      ],
    });
    const paid = await post(notifyPayment.POST, "/api/v1/notify/payment-confirmation", { applicationId: app.id, amountMinor: 450000, currency: "RUB" });
    expect(paid.status).toBe(202);
    const sms = await settled(paid.json.messages.find((m: { channel: string }) => m.channel === "sms").messageId);
    expect(sms.body).toMatch(/4\s?500/);
  });
});

describe("the answers the dashboard reads", () => {
  beforeEach(onlyThese);

  it("sends on WhatsApp, Telegram and in bulk by e-mail, each answered as queued", async () => {
    await sendgrid();
    const wa = await post(whatsappSend.POST, "/api/v1/whatsapp/send", { to: "+79161230078", text: "Driver is here" });
    expect(wa.status).toBe(202);
    expect(wa.json).toMatchObject({ channel: "whatsapp", status: "queued", to: "+79161230078" });
    const tg = await post(telegramSend.POST, "/api/v1/telegram/send", { chatId: 5550001, text: "hello" });
    expect(tg.status).toBe(202);
    expect(tg.json).toMatchObject({ channel: "telegram", status: "queued", to: "5550001" });
    const bulk = await post(emailBulk.POST, "/api/v1/email/bulk", { name: "Newsletter", subject: "News", text: "Hi", recipients: ["a.bulk@example.com", { to: "b.bulk@example.com", toName: "B" }] });
    expect(bulk.status).toBe(202);
    expect(bulk.json).toMatchObject({ name: "Newsletter", channel: "email", total: 2 });
    const batches = await get(batchList.GET, "/api/v1/messages/batches");
    expect(batches.status).toBe(200);
    expect(batches.json.items.map((b: { id: string }) => b.id)).toContain(bulk.json.id);
    const stats = await get(messageStats.GET, "/api/v1/messages/stats?channel=email");
    expect(stats.status).toBe(200);
    expect(stats.json.total).toBeGreaterThanOrEqual(2);
    expect(Object.keys(stats.json.byChannel)).toEqual(["email"]);
    // the sandbox inbox shows what SendGrid's emulator "delivered"
    await settled((await db.message.findFirstOrThrow({ where: { batchId: bulk.json.id, recipient: "b.bulk@example.com" } })).id);
    const admin = await createUser("admin");
    const sent = await call(sandboxInbox.GET as never, { url: "/api/v1/sandbox/inbox?provider=sendgrid&kind=email", cookie: admin.cookie });
    expect(sent.status).toBe(200);
    expect(sent.json.items.some((i: { to: string }) => i.to.includes("b.bulk@example.com"))).toBe(true);
  });

  it("creates, reads, changes and deletes a template; unlinks Telegram", async () => {
    const admin = await createUser("admin");
    const key = `promo_${randomBytes(3).toString("hex")}`;
    const created = await call(templates.POST as never, { method: "POST", url: "/api/v1/templates", cookie: admin.cookie, body: { key, channel: "sms", name: "Promo", body: "Hi {{name}}", variables: ["name"] } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ key, channel: "sms", builtin: false, secret: false, variables: ["name"] });
    const id = created.json.id;
    const one = await call(templateOne.GET as never, { url: `/api/v1/templates/${id}`, params: { id }, cookie: admin.cookie });
    expect(one.json).toEqual(created.json);
    const changed = await call(templateOne.PATCH as never, { method: "PATCH", url: `/api/v1/templates/${id}`, params: { id }, cookie: admin.cookie, body: { name: "Promo 2" } });
    expect(changed.json).toMatchObject({ id, name: "Promo 2" });
    const del = await call(templateOne.DELETE as never, { method: "DELETE", url: `/api/v1/templates/${id}`, params: { id }, cookie: admin.cookie });
    expect(del.json).toEqual({ deleted: true });
    const unlinked = await call(tgLink.DELETE as never, { method: "DELETE", url: "/api/v1/telegram/link", cookie: admin.cookie });
    expect(unlinked.json).toEqual({ linked: false });
  });
});
