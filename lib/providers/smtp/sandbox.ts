// A real SMTP server for sandbox mode (smtp-server), on two local listeners started with the
// sandbox server: a plain one offering STARTTLS (security "starttls", or "none") and an
// implicit-TLS one (security "tls"). Both use smtp-server's built-in self-signed certificate.
// GET /smtp/__info (served by the sandbox server) says where they listen: {host, port, tlsPort}.
//
// Login (AUTH PLAIN or LOGIN, required before MAIL FROM): any username with any password,
// except passwords that start with "wrong", which get 535 like a refused login.
// Unencrypted logins are accepted (unlike most real servers) so security "none" can be tried.
// Magic recipients (the local part, before any +tag):
//   reject@…    550 5.1.1 to RCPT TO (no such mailbox)
//   greylist@…  451 4.7.1 to RCPT TO (try again later)
// An address without a domain gets 553 5.1.3 to RCPT TO.
// Every accepted message is parsed (mailparser) and kept in the sandbox inbox.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { simpleParser, type AddressObject } from "mailparser";
import type { SandboxKit, SandboxModule } from "@/lib/sandbox/kit";
import { logger } from "@/lib/logger";

const HOST = "127.0.0.1";
const MAX_SIZE = 25 * 1024 * 1024;

const smtpError = (responseCode: number, message: string) => Object.assign(new Error(message), { responseCode });

function addresses(v: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(v) ? v : v ? [v] : [];
  return list.flatMap((a) => a.value.map((x) => x.address ?? "")).filter(Boolean);
}

function options(kit: SandboxKit, secure: boolean): SMTPServerOptions {
  return {
    secure,
    name: "smtp.sandbox.switchboard.local",
    banner: "Switchboard SMTP sandbox",
    authMethods: ["PLAIN", "LOGIN"],
    allowInsecureAuth: true,
    size: MAX_SIZE,
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 1000,
    onAuth(auth, _session, cb) {
      if (!auth.username || (auth.password ?? "").startsWith("wrong")) {
        return cb(smtpError(535, "5.7.8 Username and Password not accepted"));
      }
      cb(null, { user: auth.username });
    },
    onRcptTo(address, _session, cb) {
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address.address)) {
        return cb(smtpError(553, `5.1.3 The recipient address <${address.address}> is not a valid RFC-5321 address`));
      }
      const local = address.address.split("@")[0].split("+")[0].toLowerCase();
      if (local === "reject") return cb(smtpError(550, "5.1.1 The email account that you tried to reach does not exist"));
      if (local === "greylist") return cb(smtpError(451, "4.7.1 Greylisted, please try again later"));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("error", (e) => cb(e));
      stream.on("end", () => {
        if (stream.sizeExceeded) return cb(smtpError(552, "5.3.4 Message size exceeds fixed maximum message size"));
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((m) => {
            const rcpt = session.envelope.rcptTo.map((r) => r.address);
            kit.inbox.push({
              provider: "smtp",
              kind: "email",
              to: rcpt.join(", "),
              summary: m.subject ?? "",
              payload: {
                from: m.from?.text ?? null,
                to: addresses(m.to),
                subject: m.subject ?? null,
                text: m.text ?? null,
                html: typeof m.html === "string" ? m.html : null,
                attachments: m.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, size: a.size })),
                messageId: m.messageId ?? null,
                replyTo: m.replyTo?.text ?? null,
                headers: { "x-switchboard-message-id": m.headers.get("x-switchboard-message-id") ?? null },
                envelope: { mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : null, rcptTo: rcpt },
                login: session.user ?? null,
                // true: the session was encrypted (implicit TLS or after STARTTLS)
                secure: session.secure,
                size: raw.length,
              },
            });
            cb(null, `2.0.0 OK: queued as ${randomBytes(6).toString("hex").toUpperCase()}`);
          })
          .catch((e: Error) => cb(smtpError(554, `5.6.0 Message could not be parsed: ${e.message}`)));
      });
    },
  };
}

async function listen(server: SMTPServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.on("error", (e) => logger.warn({ err: (e as Error).message }, "SMTP sandbox listener error"));
    const net = server.listen(0, HOST, () => resolve((net.address() as AddressInfo).port));
    net.once("error", reject);
  });
}

const smtp: SandboxModule = {
  id: "smtp",
  // nothing over HTTP: the sandbox server adds GET /smtp/__info itself
  mount() {},
  async start(kit) {
    const plain = new SMTPServer(options(kit, false));
    const tls = new SMTPServer(options(kit, true));
    const port = await listen(plain);
    const tlsPort = await listen(tls);
    return {
      info: {
        host: HOST,
        port,
        tlsPort,
        security: { starttls: port, none: port, tls: tlsPort },
        login: 'any username and password; passwords starting with "wrong" are refused (535)',
        magicRecipients: { "reject@…": "550 on RCPT TO", "greylist@…": "451 on RCPT TO" },
      },
      async close() {
        await Promise.all([plain, tls].map((s) => new Promise<void>((r) => s.close(() => r()))));
      },
    };
  },
};

export default smtp;
