// Both custom-webhook signature schemes: valid, tampered, stale, missing, wrongly encoded,
// and secret rotation (two secrets accepted).
import { describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { hmacHex, safeEqualHex, signHeaders, verifySignature, isStandardWebhookSecret } from "@/lib/providers/signing";

const body = JSON.stringify({ id: "evt_1", type: "order.created", data: { n: 1 } });
const hmacSecret = "a-shared-secret-of-some-length";
const swSecret = `whsec_${Buffer.alloc(32, 9).toString("base64")}`;

describe("hex HMAC-SHA256 in X-Signature", () => {
  it("accepts a valid signature (also with a sha256= prefix)", () => {
    const sig = hmacHex(hmacSecret, body);
    expect(verifySignature("hmac-sha256", [hmacSecret], body, new Headers({ "X-Signature": sig }))).toEqual({ ok: true });
    expect(verifySignature("hmac-sha256", [hmacSecret], body, new Headers({ "X-Signature": `sha256=${sig}` }))).toEqual({ ok: true });
  });
  it("rejects a tampered body, a missing header and a wrongly encoded signature", () => {
    const sig = hmacHex(hmacSecret, body);
    expect(verifySignature("hmac-sha256", [hmacSecret], body.replace("1", "2"), new Headers({ "X-Signature": sig }))).toMatchObject({ ok: false, reason: "signature mismatch" });
    expect(verifySignature("hmac-sha256", [hmacSecret], body, new Headers())).toMatchObject({ ok: false, reason: "missing X-Signature header" });
    expect(verifySignature("hmac-sha256", [hmacSecret], body, new Headers({ "X-Signature": Buffer.from(sig, "hex").toString("base64") }))).toMatchObject({ ok: false, reason: /64 hex/ });
  });
  it("accepts either secret during a rotation", () => {
    const sig = hmacHex("old-secret-old-secret-old", body);
    expect(verifySignature("hmac-sha256", ["new-secret-new-secret-new", "old-secret-old-secret-old"], body, new Headers({ "X-Signature": sig })).ok).toBe(true);
    expect(verifySignature("hmac-sha256", [], body, new Headers({ "X-Signature": sig }))).toMatchObject({ ok: false, reason: "no secret configured" });
  });
  it("compares in constant time and only equal-length hex", () => {
    expect(safeEqualHex("ab", "ab")).toBe(true);
    expect(safeEqualHex("ab", "abab")).toBe(false);
    expect(safeEqualHex("zz", "zz")).toBe(false);
  });
});

describe("Standard Webhooks", () => {
  it("round-trips with the reference library", () => {
    const h = signHeaders("standard-webhooks", swSecret, body, { id: "msg_1" });
    expect(h["webhook-signature"]).toMatch(/^v1,/);
    expect(verifySignature("standard-webhooks", [swSecret], body, new Headers(h))).toEqual({ ok: true });
    // and what we sign, the reference verifier accepts
    expect(() => new Webhook(swSecret).verify(body, h)).not.toThrow();
  });
  it("rejects tampered, stale, future, missing and wrongly encoded", () => {
    const h = signHeaders("standard-webhooks", swSecret, body, { id: "msg_1" });
    expect(verifySignature("standard-webhooks", [swSecret], body + " ", new Headers(h)).ok).toBe(false);
    const stale = signHeaders("standard-webhooks", swSecret, body, { id: "msg_1", timestamp: new Date(Date.now() - 10 * 60_000) });
    expect(verifySignature("standard-webhooks", [swSecret], body, new Headers(stale))).toMatchObject({ ok: false, reason: /too old/i });
    const future = signHeaders("standard-webhooks", swSecret, body, { id: "msg_1", timestamp: new Date(Date.now() + 10 * 60_000) });
    expect(verifySignature("standard-webhooks", [swSecret], body, new Headers(future))).toMatchObject({ ok: false, reason: /too new/i });
    const { "webhook-signature": _s, ...missing } = h;
    expect(verifySignature("standard-webhooks", [swSecret], body, new Headers(missing))).toMatchObject({ ok: false, reason: "missing webhook-signature header" });
    expect(verifySignature("standard-webhooks", [swSecret], body, new Headers({ ...h, "webhook-signature": "v1,not-base64!!" })).ok).toBe(false);
  });
  it("knows a usable secret", () => {
    expect(isStandardWebhookSecret(swSecret)).toBe(true);
    expect(isStandardWebhookSecret("whsec_short")).toBe(false);
  });
});
