// Every verification scheme with valid, tampered, stale, missing and wrongly-encoded
// signatures, and the previous secret still accepted during a rotation. Signatures are made
// with the providers' own SDK helpers where they have one, so the test does not check our code
// against itself.
import { describe, it, expect } from "vitest";
import { createHash, createHmac, generateKeyPairSync, sign, randomBytes } from "node:crypto";
import Stripe from "stripe";
import twilio from "twilio";
import { Webhook } from "standardwebhooks";
import { verifyStripe } from "@/lib/providers/stripe/verify";
import { verifyTwilio } from "@/lib/providers/twilio/verify";
import { verifySendgrid } from "@/lib/providers/sendgrid/verify";
import { verifyZoom, zoomSignature, zoomUrlValidation } from "@/lib/providers/zoom/verify";
import { verifyRingCentral, ringCentralHandshake } from "@/lib/providers/ringcentral/verify";
import { verifyGooglePush } from "@/lib/providers/google-calendar/verify";
import { verifyTelegram } from "@/lib/providers/telegram/verify";
import { verifyYooKassa, YOOKASSA_IPS, yookassaAllowed } from "@/lib/providers/yookassa/verify";
import { verifyPayPal, type PayPalVerifyRequest } from "@/lib/providers/paypal/verify";
import { verifyCustom } from "@/lib/providers/generic-webhook/verify";
import { safeEqual, type InboundRequest } from "@/lib/providers/webhook-kit";
import { withEnv } from "@/tests/helpers/workers";

const now = () => Math.floor(Date.now() / 1000);
const req = (rawBody: string, headers: Record<string, string>, extra: Partial<InboundRequest> = {}): InboundRequest => ({
  rawBody,
  headers: new Headers(headers),
  url: "https://hub.example.com/api/webhooks/x/y",
  ip: "203.0.113.9",
  ...extra,
});
const reason = (v: { ok: boolean; reason?: string }) => (v.ok ? "ok" : v.reason);

describe("safeEqual", () => {
  it("compares strings of any length without throwing", () => {
    expect(safeEqual("abc", "abc")).toBe(true);
    expect(safeEqual("abc", "abd")).toBe(false);
    expect(safeEqual("abc", "abcd")).toBe(false);
    expect(safeEqual("", "")).toBe(true);
  });
});

describe("Stripe-Signature", () => {
  const secret = "whsec_" + randomBytes(24).toString("hex");
  const old = "whsec_" + randomBytes(24).toString("hex");
  const body = JSON.stringify({ id: "evt_1", type: "payment_intent.succeeded", data: { object: { id: "pi_1" } } });
  const header = (s = secret, timestamp = now(), payload = body) => Stripe.webhooks.generateTestHeaderString({ payload, secret: s, timestamp });

  it("accepts a valid signature, and one made with the previous secret during a rotation", () => {
    expect(verifyStripe(req(body, { "stripe-signature": header() }), [secret])).toEqual({ ok: true, scheme: "stripe-signature" });
    expect(verifyStripe(req(body, { "stripe-signature": header(old) }), [secret, old]).ok).toBe(true);
  });
  it("rejects a tampered body and a wrong secret", () => {
    expect(reason(verifyStripe(req(body.replace("pi_1", "pi_2"), { "stripe-signature": header() }), [secret]))).toMatch(/mismatch/);
    expect(reason(verifyStripe(req(body, { "stripe-signature": header(old) }), [secret]))).toMatch(/mismatch/);
  });
  it("rejects a stale timestamp and one far in the future", () => {
    expect(reason(verifyStripe(req(body, { "stripe-signature": header(secret, now() - 301) }), [secret]))).toMatch(/old/);
    expect(reason(verifyStripe(req(body, { "stripe-signature": header(secret, now() + 3600) }), [secret]))).toMatch(/future/);
  });
  it("rejects a missing header, a malformed one and a non-hex signature", () => {
    expect(reason(verifyStripe(req(body, {}), [secret]))).toMatch(/missing Stripe-Signature/);
    expect(reason(verifyStripe(req(body, { "stripe-signature": "garbage" }), [secret]))).toMatch(/malformed/);
    expect(reason(verifyStripe(req(body, { "stripe-signature": `t=${now()},v1=${"zz".repeat(32)}` }), [secret]))).toMatch(/hex/);
  });
  it("rejects when no secret is configured", () => {
    expect(reason(verifyStripe(req(body, { "stripe-signature": header() }), []))).toMatch(/no verification secret/);
  });
});

describe("X-Twilio-Signature", () => {
  const token = randomBytes(16).toString("hex");
  const url = "https://hub.example.com/api/webhooks/twilio/sms?x=1";
  const params = { MessageSid: "SM1", MessageStatus: "delivered", To: "+15005550006", From: "+15005550001" };
  const body = new URLSearchParams(params).toString();
  const form = { "content-type": "application/x-www-form-urlencoded" };
  const sig = (t = token, p: Record<string, string> = params) => twilio.getExpectedTwilioSignature(t, url, p);

  it("accepts a valid signature over the public URL and the sorted parameters", () => {
    expect(verifyTwilio(req(body, { ...form, "x-twilio-signature": sig() }, { url }), [token]).ok).toBe(true);
  });
  it("accepts the previous auth token during a rotation", () => {
    const old = randomBytes(16).toString("hex");
    expect(verifyTwilio(req(body, { ...form, "x-twilio-signature": sig(old) }, { url }), [token, old]).ok).toBe(true);
  });
  it("rejects tampered parameters and a different URL (a proxy without PUBLIC_BASE_URL)", () => {
    const tampered = new URLSearchParams({ ...params, MessageStatus: "failed" }).toString();
    expect(reason(verifyTwilio(req(tampered, { ...form, "x-twilio-signature": sig() }, { url }), [token]))).toMatch(/mismatch/);
    expect(reason(verifyTwilio(req(body, { ...form, "x-twilio-signature": sig() }, { url: "http://10.0.0.5:3000/api/webhooks/twilio/sms?x=1" }), [token]))).toMatch(/public URL/);
  });
  it("has no timestamp: a replay is caught by the inbox's idempotency, not here (documented)", () => {
    // the same signature is valid forever: Twilio signs no time
    expect(verifyTwilio(req(body, { ...form, "x-twilio-signature": sig() }, { url }), [token]).ok).toBe(true);
  });
  it("rejects a missing and a wrongly encoded signature", () => {
    expect(reason(verifyTwilio(req(body, form, { url }), [token]))).toMatch(/missing X-Twilio-Signature/);
    expect(reason(verifyTwilio(req(body, { ...form, "x-twilio-signature": "not base64!" }, { url }), [token]))).toMatch(/base64/);
  });
  it("verifies JSON bodies through bodySHA256", () => {
    const json = JSON.stringify({ a: 1 });
    const sha = createHash("sha256").update(json).digest("hex");
    const u = `https://hub.example.com/api/webhooks/twilio/x?bodySHA256=${sha}`;
    const s = twilio.getExpectedTwilioSignature(token, u, {});
    expect(verifyTwilio(req(json, { "content-type": "application/json", "x-twilio-signature": s }, { url: u }), [token]).ok).toBe(true);
    expect(verifyTwilio(req(json + " ", { "content-type": "application/json", "x-twilio-signature": s }, { url: u }), [token]).ok).toBe(false);
  });
});

describe("SendGrid ECDSA", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const pub = publicKey.export({ type: "spki", format: "der" }).toString("base64");
  const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const body = JSON.stringify([{ email: "a@example.com", event: "delivered", sg_event_id: "e1", sg_message_id: "m1", timestamp: now() }]);
  const headers = (ts = String(now()), key = privateKey, payload = body) => ({
    "x-twilio-email-event-webhook-signature": sign("sha256", Buffer.from(ts + payload), key).toString("base64"),
    "x-twilio-email-event-webhook-timestamp": ts,
  });

  it("accepts a valid signature with the dashboard's public key (and the previous key in a rotation)", () => {
    expect(verifySendgrid(req(body, headers()), [pub]).ok).toBe(true);
    const otherPub = other.publicKey.export({ type: "spki", format: "der" }).toString("base64");
    expect(verifySendgrid(req(body, headers(undefined, other.privateKey)), [pub, otherPub]).ok).toBe(true);
  });
  it("rejects a tampered body and another key's signature", () => {
    expect(reason(verifySendgrid(req(body.replace("delivered", "bounce"), headers()), [pub]))).toMatch(/mismatch/);
    expect(reason(verifySendgrid(req(body, headers(undefined, other.privateKey)), [pub]))).toMatch(/mismatch/);
  });
  it("rejects a stale timestamp (the SDK has no tolerance; we add one)", () => {
    expect(reason(verifySendgrid(req(body, headers(String(now() - 600))), [pub]))).toMatch(/old/);
  });
  it("rejects missing headers and a signature that is not base64 DER", () => {
    expect(reason(verifySendgrid(req(body, {}), [pub]))).toMatch(/missing/);
    const h = headers();
    expect(reason(verifySendgrid(req(body, { ...h, "x-twilio-email-event-webhook-signature": "%%%" }), [pub]))).toMatch(/base64/);
    expect(reason(verifySendgrid(req(body, { ...h, "x-twilio-email-event-webhook-signature": Buffer.from("not der").toString("base64") }), [pub]))).toMatch(/not a DER-encoded ECDSA signature/);
  });
});

describe("Zoom x-zm-signature", () => {
  const secret = randomBytes(16).toString("hex");
  const body = JSON.stringify({ event: "meeting.ended", payload: { object: { id: 1 } }, event_ts: Date.now() });
  const headers = (ts = String(now()), s = secret, payload = body) => ({ "x-zm-signature": zoomSignature(s, ts, payload), "x-zm-request-timestamp": ts });

  it("accepts a valid signature, and the previous secret token in a rotation", () => {
    expect(verifyZoom(req(body, headers()), [secret]).ok).toBe(true);
    expect(verifyZoom(req(body, headers(undefined, "old-secret")), [secret, "old-secret"]).ok).toBe(true);
  });
  it("rejects tampered, stale, missing and wrongly encoded", () => {
    expect(reason(verifyZoom(req(body + " ", headers()), [secret]))).toMatch(/mismatch/);
    expect(reason(verifyZoom(req(body, headers(String(now() - 1000))), [secret]))).toMatch(/old/);
    expect(reason(verifyZoom(req(body, { "x-zm-request-timestamp": String(now()) }), [secret]))).toMatch(/missing x-zm-signature/);
    expect(reason(verifyZoom(req(body, { ...headers(), "x-zm-signature": "v0=" + "g".repeat(64) }), [secret]))).toMatch(/hex/);
    expect(reason(verifyZoom(req(body, { ...headers(), "x-zm-request-timestamp": "yesterday" }), [secret]))).toMatch(/unix/);
  });
  it("answers the endpoint.url_validation challenge as Zoom computes it", () => {
    const r = zoomUrlValidation("qgg8vlvZRS6UYooatFL8Aw", secret);
    expect(r.encryptedToken).toBe(createHmac("sha256", secret).update("qgg8vlvZRS6UYooatFL8Aw").digest("hex"));
  });
});

describe("RingCentral Verification-Token", () => {
  const token = randomBytes(16).toString("hex");
  it("accepts the subscription's token (and the previous one in a rotation)", () => {
    expect(verifyRingCentral(req("{}", { "verification-token": token }), [token]).ok).toBe(true);
    expect(verifyRingCentral(req("{}", { "verification-token": "old-token" }), [token, "old-token"]).ok).toBe(true);
  });
  it("rejects a wrong, missing and wrongly encoded token", () => {
    expect(reason(verifyRingCentral(req("{}", { "verification-token": token.slice(1) + "x" }), [token]))).toMatch(/does not match/);
    expect(reason(verifyRingCentral(req("{}", {}), [token]))).toMatch(/missing/);
    expect(reason(verifyRingCentral(req("{}", { "verification-token": "tok en\u00e9" }), [token]))).toMatch(/characters/);
  });
  it("has no timestamp to check (documented); the handshake echoes Validation-Token", () => {
    const res = ringCentralHandshake(req("", { "validation-token": "abc123" }))!;
    expect(res.status).toBe(200);
    expect(res.headers.get("validation-token")).toBe("abc123");
    expect(ringCentralHandshake(req("", {}))).toBeNull();
  });
});

describe("Google push channel", () => {
  const channels = [{ id: "chan-1", token: "tok-" + randomBytes(8).toString("hex") }];
  const h = (extra: Record<string, string> = {}) => ({
    "x-goog-channel-id": "chan-1",
    "x-goog-channel-token": channels[0].token,
    "x-goog-resource-state": "exists",
    "x-goog-channel-expiration": new Date(Date.now() + 3600_000).toUTCString(),
    ...extra,
  });
  it("accepts a known channel with its token", () => {
    expect(verifyGooglePush(req("", h()), channels).ok).toBe(true);
  });
  it("rejects a wrong token, an unknown channel, an expired channel, missing and malformed headers", () => {
    expect(reason(verifyGooglePush(req("", h({ "x-goog-channel-token": "tok-nope" })), channels))).toMatch(/wrong channel token/);
    expect(reason(verifyGooglePush(req("", h({ "x-goog-channel-id": "chan-2" })), channels))).toMatch(/unknown channel/);
    expect(reason(verifyGooglePush(req("", h({ "x-goog-channel-expiration": new Date(Date.now() - 1000).toUTCString() })), channels))).toMatch(/expired/);
    expect(reason(verifyGooglePush(req("", { "x-goog-channel-id": "chan-1" }), channels))).toMatch(/missing X-Goog-Channel-Token/);
    expect(reason(verifyGooglePush(req("", h({ "x-goog-channel-token": "bad token\n" })), channels))).toMatch(/characters/);
  });
});

describe("Telegram secret token", () => {
  const secret = "s3cr3t_" + randomBytes(12).toString("hex");
  it("accepts the secret and, during a rotation, the previous one", () => {
    expect(verifyTelegram(req("{}", { "x-telegram-bot-api-secret-token": secret }), [secret]).ok).toBe(true);
    expect(verifyTelegram(req("{}", { "x-telegram-bot-api-secret-token": "previous_secret_1" }), [secret, "previous_secret_1"]).ok).toBe(true);
  });
  it("rejects a wrong, missing and wrongly encoded token (no timestamp in this scheme)", () => {
    expect(reason(verifyTelegram(req("{}", { "x-telegram-bot-api-secret-token": secret + "x" }), [secret]))).toMatch(/does not match/);
    expect(reason(verifyTelegram(req("{}", {}), [secret]))).toMatch(/missing/);
    expect(reason(verifyTelegram(req("{}", { "x-telegram-bot-api-secret-token": "bad token!" }), [secret]))).toMatch(/characters/);
  });
});

describe("YooKassa IP allow-list", () => {
  it("accepts addresses inside the published ranges, IPv4-mapped and IPv6 too", () => {
    expect(verifyYooKassa(req("{}", {}, { ip: "185.71.76.5" }), YOOKASSA_IPS).ok).toBe(true);
    expect(verifyYooKassa(req("{}", {}, { ip: "::ffff:77.75.156.11" }), YOOKASSA_IPS).ok).toBe(true);
    expect(verifyYooKassa(req("{}", {}, { ip: "2a02:5180::1" }), YOOKASSA_IPS).ok).toBe(true);
    expect(verifyYooKassa(req("{}", {}, { ip: "127.0.0.1" }), [...YOOKASSA_IPS, "127.0.0.1"]).ok).toBe(true);
  });
  it("takes the allow-list from YOOKASSA_ALLOWED_IPS when set", async () => {
    await withEnv({ YOOKASSA_ALLOWED_IPS: "127.0.0.1, 10.1.0.0/16" }, async () => {
      expect(verifyYooKassa(req("{}", {}, { ip: "10.1.2.3" }), yookassaAllowed()).ok).toBe(true);
      expect(verifyYooKassa(req("{}", {}, { ip: "185.71.76.5" }), yookassaAllowed()).ok).toBe(false);
    });
    expect(yookassaAllowed()).toEqual(YOOKASSA_IPS);
  });
  it("a sandbox-mode integration also accepts its sandbox's addresses (SANDBOX_URL's host; loopback in both families)", async () => {
    const { sandboxSourceAddresses } = await import("@/lib/providers/webhook-kit");
    await withEnv({ SANDBOX_URL: "http://127.0.0.1:4010" }, async () => {
      const loopback = await sandboxSourceAddresses();
      expect(loopback).toEqual(["127.0.0.0/8", "::1"]);
      for (const ip of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
        expect(verifyYooKassa(req("{}", {}, { ip }), YOOKASSA_IPS, loopback)).toMatchObject({ ok: true, note: expect.stringContaining("sandbox") });
        // a live integration is given no sandbox addresses
        expect(reason(verifyYooKassa(req("{}", {}, { ip }), YOOKASSA_IPS))).toMatch(/not on the YooKassa allow-list/);
      }
    });
    await withEnv({ SANDBOX_URL: "http://10.9.8.7:4010" }, async () => {
      const remote = await sandboxSourceAddresses();
      expect(remote).toEqual(["10.9.8.7"]);
      expect(verifyYooKassa(req("{}", {}, { ip: "10.9.8.7" }), YOOKASSA_IPS, remote).ok).toBe(true);
      expect(verifyYooKassa(req("{}", {}, { ip: "127.0.0.1" }), YOOKASSA_IPS, remote).ok).toBe(false);
    });
  });
  it("rejects outside addresses, an unknown address and garbage", () => {
    expect(reason(verifyYooKassa(req("{}", {}, { ip: "185.71.76.32" }), YOOKASSA_IPS))).toMatch(/not on the YooKassa allow-list/);
    expect(reason(verifyYooKassa(req("{}", {}, { ip: null }), YOOKASSA_IPS))).toMatch(/unknown/);
    expect(reason(verifyYooKassa(req("{}", {}, { ip: "not-an-ip" }), YOOKASSA_IPS))).toMatch(/not an IP/);
  });
});

describe("PayPal verify endpoint", () => {
  // PayPal's side: SUCCESS only for the transmission signature it issued
  const issued = randomBytes(32).toString("base64");
  const seen: PayPalVerifyRequest[] = [];
  const paypal = async (b: PayPalVerifyRequest) => {
    seen.push(b);
    return b.transmission_sig === issued && b.webhook_id === "WH-CONF-1" ? "SUCCESS" : "FAILURE";
  };
  const body = JSON.stringify({ id: "WH-1", event_type: "PAYMENT.CAPTURE.COMPLETED", resource: { id: "CAP-1" } });
  const h = (extra: Record<string, string> = {}) => ({
    "paypal-transmission-id": "tx-1",
    "paypal-transmission-time": new Date().toISOString(),
    "paypal-transmission-sig": issued,
    "paypal-cert-url": "https://api.paypal.com/v1/notifications/certs/CERT-1",
    "paypal-auth-algo": "SHA256withRSA",
    ...extra,
  });
  it("accepts what the verify endpoint confirms, sending it the headers, webhook id and event", async () => {
    expect((await verifyPayPal(req(body, h()), "WH-CONF-1", paypal)).ok).toBe(true);
    expect(seen.at(-1)).toMatchObject({ transmission_id: "tx-1", webhook_id: "WH-CONF-1", webhook_event: JSON.parse(body) });
  });
  it("rejects a tampered signature, a stale transmission, missing headers and a non-base64 signature", async () => {
    const calls = seen.length;
    expect(reason(await verifyPayPal(req(body, h({ "paypal-transmission-sig": randomBytes(32).toString("base64") })), "WH-CONF-1", paypal))).toMatch(/FAILURE/);
    expect(reason(await verifyPayPal(req(body, h({ "paypal-transmission-time": new Date(Date.now() - 3600_000).toISOString() })), "WH-CONF-1", paypal))).toMatch(/old/);
    expect(reason(await verifyPayPal(req(body, { "paypal-transmission-id": "tx-1" }), "WH-CONF-1", paypal))).toMatch(/missing/);
    expect(reason(await verifyPayPal(req(body, h({ "paypal-transmission-sig": "***" })), "WH-CONF-1", paypal))).toMatch(/base64/);
    // only the tampered one was worth a call to PayPal
    expect(seen.length).toBe(calls + 1);
  });
});

describe("custom integrations: X-Signature and Standard Webhooks", () => {
  const secret = randomBytes(32).toString("base64url");
  const body = JSON.stringify({ id: "evt_1", type: "order.created" });
  const hex = (s: string, b = body) => createHmac("sha256", s).update(b).digest("hex");

  it("hex HMAC-SHA256: valid (also sha256= prefixed and the previous secret), tampered, missing, wrongly encoded", () => {
    expect(verifyCustom(req(body, { "x-signature": hex(secret) }), "hmac-sha256", [secret]).ok).toBe(true);
    expect(verifyCustom(req(body, { "x-signature": `sha256=${hex(secret)}` }), "hmac-sha256", [secret]).ok).toBe(true);
    expect(verifyCustom(req(body, { "x-signature": hex("old-secret-value") }), "hmac-sha256", [secret, "old-secret-value"]).ok).toBe(true);
    expect(reason(verifyCustom(req(body + " ", { "x-signature": hex(secret) }), "hmac-sha256", [secret]))).toMatch(/mismatch/);
    expect(reason(verifyCustom(req(body, {}), "hmac-sha256", [secret]))).toMatch(/missing X-Signature/);
    expect(reason(verifyCustom(req(body, { "x-signature": Buffer.from(hex(secret), "hex").toString("base64") }), "hmac-sha256", [secret]))).toMatch(/64 hex/);
  });

  it("Standard Webhooks: valid, tampered, stale, missing, wrongly encoded", () => {
    const whsec = "whsec_" + randomBytes(32).toString("base64");
    const wh = new Webhook(whsec);
    const at = (d: Date) => ({ "webhook-id": "msg_1", "webhook-timestamp": String(Math.floor(d.getTime() / 1000)), "webhook-signature": wh.sign("msg_1", d, body) });
    expect(verifyCustom(req(body, at(new Date())), "standard-webhooks", [whsec]).ok).toBe(true);
    expect(verifyCustom(req(body.replace("created", "deleted"), at(new Date())), "standard-webhooks", [whsec]).ok).toBe(false);
    expect(verifyCustom(req(body, at(new Date(Date.now() - 10 * 60_000))), "standard-webhooks", [whsec]).ok).toBe(false);
    expect(reason(verifyCustom(req(body, { "webhook-id": "msg_1" }), "standard-webhooks", [whsec]))).toMatch(/missing webhook-timestamp, webhook-signature/);
    expect(verifyCustom(req(body, { ...at(new Date()), "webhook-signature": "v1,@@@not-base64" }), "standard-webhooks", [whsec]).ok).toBe(false);
  });
});
