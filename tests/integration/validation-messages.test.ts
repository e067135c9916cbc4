// A 400's details speak plainly (issue 16 item 5): the words of lib/errors.ts's one error map,
// never zod's "Invalid input: expected …", every field's problem in one answer, and nothing
// naming an environment variable.
import { beforeAll, describe, expect, it } from "vitest";
import * as smsSend from "@/app/api/v1/sms/send/route";
import * as emailSend from "@/app/api/v1/email/send/route";
import * as integrations from "@/app/api/v1/integrations/route";
import * as exportsRoute from "@/app/api/v1/exports/route";
import { db } from "@/lib/db";
import { call } from "../helpers/http";
import { createUser } from "../helpers/fixtures";

let admin: Awaited<ReturnType<typeof createUser>>;
beforeAll(async () => {
  admin = await createUser("admin");
});

const RAW = /Invalid input|expected (string|number|object)|received|Too small|Too big|>=|<=/;
const ENV_NAME = /\b[A-Z][A-Z0-9]*_[A-Z0-9_]{3,}\b/;

function expectHuman(details: { path: string; message: string }[]) {
  for (const d of details) {
    expect(d.message, d.path).not.toMatch(RAW);
    expect(d.message, d.path).not.toMatch(ENV_NAME);
  }
}

describe("validation details in plain English", () => {
  it("an empty SMS: the number and the text are both flagged at once, in words", async () => {
    const before = await db.message.count();
    const r = await call(smsSend.POST, { cookie: admin.cookie, body: { to: "", text: "" } });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe("validation_failed");
    expect(r.json.error.details).toEqual(
      expect.arrayContaining([
        { path: "to", message: "Required" },
        { path: "text", message: "Write the text or choose a template" },
      ]),
    );
    expectHuman(r.json.error.details);
    expect(r.json.error.message).not.toMatch(RAW);
    expect(await db.message.count()).toBe(before);
  });

  it("a phone number the product cannot use is explained without naming any setting", async () => {
    for (const to of ["+7 999", "call me", "9991234567"]) {
      const r = await call(smsSend.POST, { cookie: admin.cookie, body: { to, text: "Hello" } });
      expect(r.status, to).toBe(400);
      expect(r.json.error.details, to).toEqual([{ path: "to", message: "Enter the number with its country code, e.g. +7 999 123-45-67" }]);
      expect(JSON.stringify(r.json), to).not.toMatch(ENV_NAME);
    }
  });

  it("an e-mail without subject or text, to a bad address: three fields in one answer", async () => {
    const r = await call(emailSend.POST, { cookie: admin.cookie, body: { to: "not-an-address" } });
    expect(r.status).toBe(400);
    expect(r.json.error.details).toEqual(
      expect.arrayContaining([
        { path: "to", message: "Enter a valid e-mail address" },
        { path: "text", message: "Write the text or choose a template" },
        { path: "subject", message: "An e-mail needs a subject" },
      ]),
    );
    expectHuman(r.json.error.details);
  });

  it("a new integration with an empty signing secret and a bad setting: 'Required' next to the secret, every part at once, no test call", async () => {
    const before = await db.integration.count();
    const r = await call(integrations.POST, {
      cookie: admin.cookie,
      body: { provider: "generic-webhook", name: "", mode: "live", apiEndpoint: "https://crm.example.com/hook", credentials: {}, config: { scheme: "sha1", priority: 1 } },
    });
    expect(r.status).toBe(400);
    const details = r.json.error.details as { path: string; message: string }[];
    expect(details).toEqual(
      expect.arrayContaining([
        { path: "name", message: "Give it a name" },
        { path: "credentials.signingSecret", message: "Required" },
        { path: "config.scheme", message: "Choose one of: hmac-sha256, standard-webhooks" },
        { path: "config.priority", message: 'Unknown field "priority"' },
      ]),
    );
    expectHuman(details);
    expect(r.json.error.message).not.toMatch(/Invalid credentials|Invalid config/);
    expect(await db.integration.count()).toBe(before);
  });

  it("wrong types and numbers out of range read as instructions", async () => {
    const r = await call(integrations.POST, {
      cookie: admin.cookie,
      body: { provider: "smsru", name: "SMS", mode: "sandbox", priority: 5000, autoSync: "yes", credentials: { apiId: 12 } },
    });
    expect(r.status).toBe(400);
    expect(r.json.error.details).toEqual(
      expect.arrayContaining([
        { path: "priority", message: "Enter 1000 or less" },
        { path: "autoSync", message: "Choose yes or no" },
        { path: "credentials.apiId", message: "Enter text" },
      ]),
    );
    expectHuman(r.json.error.details);
  });

  it("an export whose date range ends before it starts is refused next to Until, with the type's own problems", async () => {
    const before = await db.exportJob.count();
    const r = await call(exportsRoute.POST, {
      cookie: admin.cookie,
      body: { type: "applications", format: "csv", filters: { from: "2026-03-02T00:00:00Z", to: "2026-03-01T00:00:00Z" } },
    });
    expect(r.status).toBe(400);
    expect(r.json.error.details).toEqual([{ path: "filters.to", message: "Until must be later than From" }]);
    const bad = await call(exportsRoute.POST, { cookie: admin.cookie, body: { type: "applications", format: "csv", filters: { from: "yesterday" } } });
    expect(bad.json.error.details).toEqual([{ path: "filters.from", message: "Enter a date and time" }]);
    expect(await db.exportJob.count()).toBe(before);
  });
});

describe("the integration form's rules come with the server's own wording", () => {
  it("a provider's field publishes its pattern's message beside the pattern", async () => {
    const { describeProvider } = await import("@/lib/integrations/service");
    const { getProvider } = await import("@/lib/providers/registry");
    const tg = describeProvider(getProvider("telegram")!);
    expect(tg.credentialsSchema.properties?.botToken).toMatchObject({ pattern: expect.any(String), formatMessage: expect.stringMatching(/^A bot token looks like/) });
    const hook = describeProvider(getProvider("generic-webhook")!);
    expect(hook.configSchema.properties?.forwardUrl?.formatMessage).toBe("A full URL such as https://crm.example.com/hooks/switchboard");
  });
});
