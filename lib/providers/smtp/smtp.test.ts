// The SMTP provider against a real SMTP server (the sandbox's smtp-server listeners): sends
// through STARTTLS and implicit TLS land parsed in the sandbox inbox; a refused login, a
// rejected recipient, a greylisting 4xx, a closed port, a silent server and an untrusted
// certificate are each classified and explained; every session is logged without the password.
import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { buildContext, createIntegration, testIntegration } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { SendError } from "@/lib/providers/types";
import { sandbox, system } from "@/tests/helpers/fixtures";
import { failure, outboundEmail } from "@/tests/helpers/providers";

const def = getProvider("smtp")!;
const jsonOf = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));

type Info = { host: string; port: number; tlsPort: number };
const info = async (): Promise<Info> => (await fetch(`${sandbox().url}/smtp/__info`)).json();

let n = 0;
async function integration(opts: { mode?: "sandbox" | "live"; password?: string; config?: Record<string, unknown>; apiEndpoint?: string } = {}) {
  const password = opts.password ?? `app-pass-${randomBytes(8).toString("hex")}`;
  const username = `dispatch${++n}@acme-transfers.test`;
  const row = await createIntegration(
    {
      provider: "smtp",
      name: `SMTP ${n}`,
      mode: opts.mode ?? "sandbox",
      apiEndpoint: opts.apiEndpoint,
      credentials: { username, password },
      config: { fromEmail: username, fromName: "Acme Dispatch", security: "starttls", ...opts.config },
    },
    system,
  );
  return { row, password, username, ctx: buildContext(row) };
}

const message = outboundEmail;

const sendError = (p: Promise<unknown>) => failure(p, SendError);

async function inboxFor(to: string) {
  const inbox = await (await fetch(`${sandbox().url}/__control/inbox?provider=smtp`)).json();
  return inbox.items.find((i: { to: string }) => i.to === to);
}

const smtpLogs = (integrationId: string) => db.integrationLog.findMany({ where: { integrationId, method: "SMTP" }, orderBy: { id: "asc" } });

/** no trace of the password, in clear or base64, in anything logged for the integration */
async function expectNoPassword(integrationId: string, password: string) {
  const all = jsonOf(await db.integrationLog.findMany({ where: { integrationId } }));
  expect(all).not.toContain(password);
  expect(all).not.toContain(Buffer.from(password).toString("base64").slice(0, 16));
}

describe("smtp: sending", () => {
  it("sends through STARTTLS: the message lands parsed in the sandbox inbox, with html and an attachment", async () => {
    const { row, ctx, password, username } = await integration();
    const pdf = Buffer.from("%PDF-1.4 invoice APP-1001 ".repeat(20));
    const msg = message({
      html: "<p>Your driver arrives at <b>10:00</b>.</p>",
      options: {
        attachments: [{ filename: "invoice.pdf", contentType: "application/pdf", content: pdf.toString("base64") }],
        replyTo: "desk@acme-transfers.test",
      },
    });
    const res = await def.messaging!.send(ctx, msg);
    expect(res.status).toBe("sent");
    expect(res.providerMessageId).toMatch(/^<.+@acme-transfers\.test>$/);
    expect(res.providerStatus).toMatch(/^250 .*queued as/);

    const item = await inboxFor(msg.to);
    expect(item).toMatchObject({
      kind: "email",
      summary: "Your transfer APP-1001",
      payload: {
        from: `"Acme Dispatch" <${username}>`,
        to: [msg.to],
        subject: "Your transfer APP-1001",
        text: "Your driver arrives at 10:00.",
        html: "<p>Your driver arrives at <b>10:00</b>.</p>",
        attachments: [{ filename: "invoice.pdf", contentType: "application/pdf", size: pdf.length }],
        messageId: res.providerMessageId,
        replyTo: "desk@acme-transfers.test",
        headers: { "x-switchboard-message-id": msg.id },
        envelope: { mailFrom: username, rcptTo: [msg.to] },
        login: username,
        secure: true, // upgraded with STARTTLS before the login
      },
    });

    const { port } = await info();
    const logs = await smtpLogs(row.id);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ action: "smtp.send", url: `smtp://127.0.0.1:${port}`, statusCode: 250, status: "success" });
    const transcript = String((logs[0].request as { body: string }).body);
    expect(transcript).toMatch(/C: STARTTLS/);
    expect(transcript).toMatch(/C: AUTH (PLAIN|LOGIN)/);
    expect(transcript).toMatch(/S: 235/);
    expect(transcript).not.toContain("Your driver arrives"); // commands only, never the content
    await expectNoPassword(row.id, password);
  });

  it("sends through implicit TLS (security tls) on the sandbox's TLS listener", async () => {
    const { row, ctx } = await integration({ config: { security: "tls" } });
    const msg = message({ html: "<p>TLS from the first byte</p>", options: { attachments: [{ filename: "a.txt", contentType: "text/plain", content: Buffer.from("hello").toString("base64") }] } });
    await def.messaging!.send(ctx, msg);
    const item = await inboxFor(msg.to);
    expect(item.payload).toMatchObject({ secure: true, html: "<p>TLS from the first byte</p>", attachments: [{ filename: "a.txt", contentType: "text/plain", size: 5 }] });
    const { tlsPort } = await info();
    const [log] = await smtpLogs(row.id);
    expect(log.url).toBe(`smtp://127.0.0.1:${tlsPort}`);
    expect(String((log.request as { body: string }).body)).not.toMatch(/STARTTLS/);
  });

  it("security none sends without encryption", async () => {
    const { ctx } = await integration({ config: { security: "none" } });
    const msg = message();
    await def.messaging!.send(ctx, msg);
    expect((await inboxFor(msg.to)).payload).toMatchObject({ secure: false, html: null });
  });

  it("a refused login: testConnection says so, send is transient, the log has the 535 and no password", async () => {
    const { row, ctx, password } = await integration({ password: `wrong-${randomBytes(6).toString("hex")}` });
    const t = await testIntegration(row.id, system);
    expect(t).toMatchObject({ ok: false, message: expect.stringMatching(/^The SMTP server refused the login \(535 5\.7\.8 Username and Password not accepted\)/) });
    const e = await sendError(def.messaging!.send(ctx, message()));
    expect(e).toMatchObject({ kind: "transient", opts: { code: "EAUTH" } });
    expect(e.message).toMatch(/refused the login \(535/);
    const logs = await smtpLogs(row.id);
    expect(logs.map((l) => [l.action, l.statusCode, l.status])).toEqual([["smtp.verify", 535, "error"], ["smtp.send", 535, "error"]]);
    expect(logs[0].error).toMatch(/^EAUTH: Invalid login/);
    await expectNoPassword(row.id, password);
  });

  it("a recipient the server refuses (550 to RCPT TO) is permanent, with the server's words", async () => {
    const { ctx } = await integration();
    const e = await sendError(def.messaging!.send(ctx, message({ to: "reject@example.com" })));
    expect(e).toMatchObject({ kind: "permanent", opts: { code: "550" } });
    expect(e.message).toBe("The SMTP server refused the message: 550 5.1.1 The email account that you tried to reach does not exist");
    expect(await inboxFor("reject@example.com")).toBeUndefined();
  });

  it("an address the server calls invalid (553) is permanent", async () => {
    const { ctx } = await integration();
    const e = await sendError(def.messaging!.send(ctx, message({ to: "not-an-address@nowhere" })));
    expect(e).toMatchObject({ kind: "permanent", opts: { code: "553" } });
    expect(e.message).toMatch(/553 5\.1\.3 The recipient address <not-an-address@nowhere> is not a valid RFC-5321 address/);
  });

  it("a 4xx (greylisting) is transient", async () => {
    const { ctx } = await integration();
    const e = await sendError(def.messaging!.send(ctx, message({ to: "greylist@example.com" })));
    expect(e).toMatchObject({ kind: "transient", opts: { code: "451" } });
    expect(e.message).toMatch(/451 4\.7\.1 Greylisted/);
  });
});

describe("smtp: connection problems", () => {
  async function closedPort() {
    const { freePort } = await import("@/lib/runtime/embedded-pg");
    return freePort();
  }

  it("a server that is down: transient, and testConnection explains", async () => {
    const port = await closedPort();
    const { row, ctx } = await integration({ mode: "live", config: { host: "127.0.0.1", port } });
    const e = await sendError(def.messaging!.send(ctx, message()));
    expect(e).toMatchObject({ kind: "transient", opts: { code: "ESOCKET" } });
    expect(e.message).toMatch(new RegExp(`Could not connect to the SMTP server at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    const t = await testIntegration(row.id, system);
    expect(t).toMatchObject({ ok: false, message: expect.stringMatching(/^Could not connect to the SMTP server at 127\.0\.0\.1/) });
    const logs = await smtpLogs(row.id);
    expect(logs.map((l) => [l.url, l.statusCode, l.status])).toEqual([
      [`smtp://127.0.0.1:${port}`, null, "error"],
      [`smtp://127.0.0.1:${port}`, null, "error"],
    ]);
  });

  it("a sandbox endpoint that is down: transient", async () => {
    const port = await closedPort();
    const { ctx } = await integration({ apiEndpoint: `http://127.0.0.1:${port}/smtp` });
    const e = await sendError(def.messaging!.send(ctx, message()));
    expect(e).toMatchObject({ kind: "transient", opts: { code: "unreachable" } });
    expect(e.message).toMatch(/Could not reach the SMTP sandbox: .*ECONNREFUSED/);
  });

  it("a server that never greets: timeout, transient", async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    try {
      const port = (silent.address() as AddressInfo).port;
      const { ctx } = await integration({ mode: "live", config: { host: "127.0.0.1", port } });
      const e = await sendError(def.messaging!.send(ctx, message()));
      expect(e).toMatchObject({ kind: "transient", opts: { code: "ETIMEDOUT" } });
      expect(e.message).toBe(`The SMTP server at 127.0.0.1:${port} did not answer in time`);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((r) => silent.close(() => r()));
    }
  }, 15_000);

  it("live mode refuses a self-signed certificate unless allowed", async () => {
    const { port } = await info();
    const strict = await integration({ mode: "live", config: { host: "127.0.0.1", port } });
    const t = await testIntegration(strict.row.id, system);
    expect(t).toMatchObject({ ok: false, message: expect.stringMatching(/TLS certificate of the SMTP server at 127\.0\.0\.1:\d+ was not accepted/) });
    const lax = await integration({ mode: "live", config: { host: "127.0.0.1", port, allowSelfSigned: true } });
    expect(await testIntegration(lax.row.id, system)).toMatchObject({ ok: true, message: `Connected to 127.0.0.1:${port} (STARTTLS) and logged in as ${lax.username}` });
  });

  it("live mode needs a host", async () => {
    const { row, ctx } = await integration({ mode: "live" });
    expect(await testIntegration(row.id, system)).toMatchObject({ ok: false, message: "Set the SMTP server host (e.g. smtp.gmail.com)" });
    expect(await sendError(def.messaging!.send(ctx, message()))).toMatchObject({ kind: "transient", opts: { code: "config" } });
  });
});

describe("smtp: testConnection", () => {
  it("logs in for real and says where", async () => {
    const { row, username, password } = await integration();
    const { port } = await info();
    const t = await testIntegration(row.id, system);
    expect(t).toMatchObject({ ok: true, message: `Connected to 127.0.0.1:${port} (STARTTLS) and logged in as ${username}` });
    const [log] = await smtpLogs(row.id);
    expect(log).toMatchObject({ action: "smtp.verify", url: `smtp://127.0.0.1:${port}`, statusCode: 250 });
    expect(String((log.request as { body: string }).body)).toMatch(/S: 235/);
    await expectNoPassword(row.id, password);
  });
});
