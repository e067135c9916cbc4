import { describe, expect, it } from "vitest";
import { isSensitiveKey, redactBody, redactHeaders, redactUrl, redactValue, scrub, REDACTED } from "@/lib/redact";

describe("redaction", () => {
  it("recognises sensitive field names without catching ordinary ones", () => {
    for (const k of ["password", "api_key", "apiKey", "X-Api-Key", "access_token", "client_secret", "Authorization", "card_number", "cvc", "api_id", "privateKey"]) {
      expect(isSensitiveKey(k), k).toBe(true);
    }
    for (const k of ["company", "name", "amount", "chat_id", "text", "status", "description", "expand"]) {
      expect(isSensitiveKey(k), k).toBe(false);
    }
  });

  it("scrubs secret values wherever they appear, also URL-encoded", () => {
    const s = "123:ab/c+d";
    expect(scrub(`x ${s} y ${encodeURIComponent(s)}`, [s])).toBe(`x ${REDACTED} y ${REDACTED}`);
    expect(scrub("short", ["ab"])).toBe("short"); // too short to scrub safely
  });

  it("redacts URLs: path secrets, sensitive query parameters, user info", () => {
    const token = "7000:AAabcdefghijklmnopqrstuvwxyz0123456";
    expect(redactUrl(`https://api.telegram.org/bot${token}/getMe`, [token])).toBe(`https://api.telegram.org/bot${REDACTED}/getMe`);
    const u = redactUrl("https://sms.ru/sms/send?api_id=SECRET&to=7999&msg=hi");
    expect(u).toContain(`api_id=${REDACTED}`);
    expect(u).toContain("to=7999");
    expect(u).not.toContain("SECRET");
    expect(redactUrl("https://user:pw@host/x")).not.toContain("pw");
  });

  it("redacts nested bodies by key and by value, JSON and forms", () => {
    expect(redactValue({ a: { password: "p", list: [{ token: "t" }], note: "contains VALUE" } }, ["VALUE"])).toEqual({
      a: { password: REDACTED, list: [{ token: REDACTED }], note: `contains ${REDACTED}` },
    });
    expect(redactBody(JSON.stringify({ secret: "x", ok: 1 }), "application/json")).toEqual({ secret: REDACTED, ok: 1 });
    expect(redactBody("To=%2B1&Body=hi&AuthToken=zzz", "application/x-www-form-urlencoded")).toEqual({ To: "+1", Body: "hi", AuthToken: REDACTED });
    expect(redactHeaders({ Authorization: "Bearer x", "X-Api-Key": "k", Accept: "json" })).toEqual({ Authorization: REDACTED, "X-Api-Key": REDACTED, Accept: "json" });
  });

  it("previews a huge JSON body still redacted by key and by value, without walking all of it", () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({ id: `evt_${i}`, summary: `Pick-up ${i} with sk_live_SECRETVALUE`, access_token: `tok_${i}` }));
    const body = JSON.stringify({ kind: "calendar#events", items, nextSyncToken: "never-logged" });
    const r = redactBody(body, "application/json", ["sk_live_SECRETVALUE"]) as { truncated: boolean; preview: string };
    expect(r.truncated).toBe(true);
    expect(r.preview.length).toBeLessThanOrEqual(16 * 1024);
    expect(r.preview).toContain('"id":"evt_0"');
    expect(r.preview).toContain('"access_token":"[REDACTED]"');
    expect(r.preview).not.toMatch(/tok_\d|sk_live_SECRETVALUE/);
    // a small body is kept whole
    expect(redactBody(JSON.stringify({ a: 1, token: "t" }), "application/json")).toEqual({ a: 1, token: "[REDACTED]" });
  });

  it("caps what it keeps of huge bodies", () => {
    const big = "x".repeat(100_000);
    const r = redactBody(big, "text/plain") as { truncated: boolean; preview: string };
    expect(r.truncated).toBe(true);
    expect(r.preview.length).toBeLessThan(20_000);
  });
});
