// SMTP through nodemailer: one transporter (one SMTP session) per call, closed afterwards.
// SMTP is not HTTP, so each session is logged with ctx.record: method "SMTP", url
// smtp://host:port, the command/response transcript (nodemailer masks the AUTH secrets
// itself as "/* secret */", and the password is scrubbed by value as well). Message content
// is never in the transcript, only the commands.
import { format } from "node:util";
import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import { env } from "@/lib/env";
import { resolveChecked } from "@/lib/net-guard";
import { scrub } from "@/lib/redact";
import { classifyFailure, ProviderError } from "@/lib/providers/errors";
import { SendError, type ProviderContext } from "@/lib/providers/types";

export type Security = "tls" | "starttls" | "none";
export type SmtpCredentials = { username: string; password: string };
export type SmtpConfig = {
  host?: string;
  port?: number;
  security: Security;
  fromEmail: string;
  fromName?: string;
  allowSelfSigned: boolean;
  ratePerSecond?: number;
};
export type SmtpContext = ProviderContext<SmtpCredentials, SmtpConfig>;

export const DEFAULT_PORT: Record<Security, number> = { tls: 465, starttls: 587, none: 25 };

export type Target = {
  host: string;
  port: number;
  security: Security;
  allowSelfSigned: boolean;
  sandbox: boolean;
  /** named by the configured sandbox itself (SANDBOX_URL): its loopback listeners may be reached */
  trusted?: boolean;
};

/** A nodemailer error: `code` EAUTH | ECONNECTION | ETIMEDOUT | ESOCKET | EDNS | EENVELOPE | EMESSAGE …, the server's reply when there was one. */
export type SmtpError = Error & { code?: string; responseCode?: number; response?: string; command?: string };

/** The SMTP server could not be located (our configuration, or the sandbox is down). */
export class SmtpSetupError extends ProviderError {
  constructor(
    message: string,
    public kind: "config" | "unreachable",
  ) {
    // either is worth retrying, then the next integration (the outbox's view)
    super(message, { retryable: true, failure: kind === "config" ? "invalid_request" : "network", providerCode: kind });
    this.name = "SmtpSetupError";
  }
}

/** Where to connect: the configured server, or in sandbox mode the sandbox's own listeners. */
export async function resolveTarget(ctx: SmtpContext): Promise<Target> {
  const security = ctx.config.security;
  if (ctx.integration.mode === "sandbox") {
    const url = `${ctx.baseUrl.replace(/\/$/, "")}/__info`;
    let info: { host?: string; port?: number; tlsPort?: number };
    try {
      const res = await ctx.call("smtp.sandbox.info", { method: "GET", url });
      if (!res.ok) throw new SmtpSetupError(`The SMTP sandbox is not available (HTTP ${res.status} from ${url})`, "unreachable");
      info = res.json();
    } catch (e) {
      if (e instanceof SmtpSetupError) throw e;
      const why = classifyFailure(e, { name: "The SMTP sandbox" }).detail;
      throw new SmtpSetupError(`Could not reach the SMTP sandbox: ${why}`, "unreachable");
    }
    const port = security === "tls" ? info.tlsPort : info.port;
    if (!info.host || !port) throw new SmtpSetupError("The SMTP sandbox did not say where it listens", "unreachable");
    const trusted = new URL(url).origin === new URL(env().SANDBOX_URL).origin;
    return { host: info.host, port, security, allowSelfSigned: true, sandbox: true, trusted };
  }
  if (!ctx.config.host) throw new SmtpSetupError("Set the SMTP server host (e.g. smtp.gmail.com)", "config");
  return { host: ctx.config.host, port: ctx.config.port ?? DEFAULT_PORT[security], security, allowSelfSigned: ctx.config.allowSelfSigned, sandbox: false };
}

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

/** A bunyan-style logger that keeps nodemailer's transaction log as lines. */
function transcriptLogger(lines: string[]) {
  const log = (entry: { tnx?: string } | undefined, message: unknown, ...args: unknown[]) => {
    if (lines.length > 200) return;
    const text = format(String(message ?? ""), ...args).replace(/\r?\n$/, "");
    const tnx = entry?.tnx;
    const prefix = tnx === "client" ? "C: " : tnx === "server" ? "S: " : tnx === "message" ? "   " : "* ";
    for (const line of text.split(/\r?\n/)) lines.push(prefix + line);
  };
  return Object.assign(Object.fromEntries(LEVELS.map((l) => [l, log])), { level: () => {} });
}

export function urlOf(t: Pick<Target, "host" | "port">) {
  return `smtp://${t.host.includes(":") ? `[${t.host}]` : t.host}:${t.port}`;
}

/**
 * One SMTP session: connect, (STARTTLS,) log in, run `fn`, quit. Writes one integration_logs
 * row whatever happens, then returns or rethrows.
 */
export async function smtpSession<T>(
  ctx: SmtpContext,
  target: Target,
  action: string,
  fn: (t: nodemailer.Transporter<SMTPTransport.SentMessageInfo>) => Promise<T>,
  summary: (r: T) => string,
): Promise<T> {
  const lines: string[] = [];
  const timeout = env().HTTP_TIMEOUT_MS;
  // nodemailer connects by itself, not through lib/http: the server's name is resolved and
  // checked here (lib/net-guard.ts) and the session connects to that very address (TLS still
  // verifies the certificate against the name)
  const checkedAt = Date.now();
  let address: string;
  try {
    const addrs = await resolveChecked({ host: target.host, port: target.port, policy: ctx.network ?? "public", trusted: target.trusted });
    // IPv4 first, as nodemailer's own resolver does
    address = (addrs.find((a) => a.family === 4) ?? addrs[0]).address;
  } catch (e) {
    const err = e as Error & { code?: string };
    await ctx.record(action, { method: "SMTP", url: urlOf(target), durationMs: Date.now() - checkedAt, error: err.message });
    throw err.code === "EADDRNOTALLOWED" ? new SmtpSetupError(err.message, "config") : Object.assign(err, { code: "EDNS" });
  }
  const transporter = nodemailer.createTransport({
    host: address,
    ...(address !== target.host ? { servername: target.host } : {}),
    port: target.port,
    secure: target.security === "tls",
    requireTLS: target.security === "starttls",
    ignoreTLS: target.security === "none",
    auth: { user: ctx.credentials.username, pass: ctx.credentials.password },
    tls: { rejectUnauthorized: !target.allowSelfSigned },
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: Math.max(30_000, timeout * 4),
    dnsTimeout: timeout,
    logger: transcriptLogger(lines) as never,
    transactionLog: true,
  });
  const onAbort = () => transporter.close();
  ctx.signal?.addEventListener("abort", onAbort);
  const started = Date.now();
  const transcript = () => lines.join("\n");
  try {
    const result = await fn(transporter);
    await ctx.record(action, {
      method: "SMTP",
      url: urlOf(target),
      statusCode: 250,
      durationMs: Date.now() - started,
      request: { body: transcript(), contentType: "text/plain" },
      response: { body: summary(result), contentType: "text/plain" },
    });
    return result;
  } catch (e) {
    const err = e as SmtpError;
    await ctx.record(action, {
      method: "SMTP",
      url: urlOf(target),
      statusCode: typeof err.responseCode === "number" ? err.responseCode : undefined,
      durationMs: Date.now() - started,
      request: { body: transcript(), contentType: "text/plain" },
      ...(err.response ? { response: { body: err.response, contentType: "text/plain" } } : {}),
      error: `${err.code ? `${err.code}: ` : ""}${err.message}`,
    });
    throw e;
  } finally {
    ctx.signal?.removeEventListener("abort", onAbort);
    transporter.close();
  }
}

const NETWORK = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS", "ECONNREFUSED", "ECONNRESET", "ETLS", "EPROXY"]);

function gmailHint(t: Target | null) {
  return t && /(^|\.)(gmail|googlemail)\.com$/i.test(t.host) ? ": Gmail needs an app password (Google account → Security → App passwords)" : "";
}

/** The server's own reply, e.g. "550 5.1.1 <x@y>: Recipient address rejected" */
function reply(e: SmtpError) {
  return (e.response ?? e.message).replace(/\s+/g, " ").trim();
}

function where(t: Target | null) {
  return t ? ` at ${t.host}:${t.port}` : "";
}

/** A sentence for a person about a failed session (no secret in it). */
export function explain(e: unknown, ctx: SmtpContext, target: Target | null): string {
  const safe = (s: string) => scrub(s, ctx.secrets);
  if (e instanceof SmtpSetupError) return safe(e.message);
  const err = e as SmtpError;
  if (err.code === "EAUTH") {
    return safe(`The SMTP server refused the login (${err.response ? reply(err) : err.message})${gmailHint(target)}`);
  }
  if (err.code && NETWORK.has(err.code)) {
    if (/certificate|self[- ]signed|CERT_/i.test(err.message)) {
      return safe(`The TLS certificate of the SMTP server${where(target)} was not accepted (${err.message}): allow self-signed certificates only for a server you trust`);
    }
    if (err.code === "ETIMEDOUT") return `The SMTP server${where(target)} did not answer in time`;
    return safe(`Could not connect to the SMTP server${where(target)}: ${err.message}`);
  }
  if (typeof err.responseCode === "number") return safe(`The SMTP server answered ${reply(err)}`);
  return safe(`SMTP failed: ${err.message ?? String(e)}`);
}

/**
 * As the outbox needs it: a 5xx to RCPT TO or DATA (550 mailbox unavailable, 553 address not
 * allowed, 554 rejected content) is the recipient's or the message's fault; logins,
 * connections, timeouts and 4xx are worth retrying, then the next integration.
 */
export function toSendError(e: unknown, ctx: SmtpContext, target: Target | null): SendError {
  if (e instanceof SendError) return e;
  const message = explain(e, ctx, target);
  if (e instanceof SmtpSetupError) return new SendError(message, "transient", { code: e.kind, failure: e.failure });
  const err = e as SmtpError;
  const rc = typeof err.responseCode === "number" ? err.responseCode : undefined;
  const code = err.code ?? (rc ? String(rc) : "unknown");
  if (err.code === "EAUTH") return new SendError(message, "transient", { code: "EAUTH", failure: "auth" });
  // no session: nodemailer's codes are Node's and its own (ETIMEDOUT, ECONNECTION, ESOCKET …)
  if (err.code && NETWORK.has(err.code)) return new SendError(message, "transient", { code: err.code, failure: classifyFailure(e, { name: "The SMTP server" }).failure });
  if (rc && rc >= 500) {
    const recipient = err.command === "RCPT TO" || err.command === "DATA";
    // 552 to MAIL FROM: the declared size is over the server's limit, the message's fault
    if (recipient || (err.command === "MAIL FROM" && rc === 552)) {
      return new SendError(scrub(`The SMTP server refused the message: ${reply(err)}`, ctx.secrets), "permanent", { code: String(rc), failure: "invalid_request" });
    }
    // a refused sender (MAIL FROM) is our configuration: another integration may do better
    return new SendError(message, "transient", { code: String(rc), failure: "invalid_request" });
  }
  // 4xx: the server's temporary refusal (SMTP's own code, not HTTP's)
  if (rc && rc >= 400) return new SendError(message, "transient", { code: String(rc), failure: "provider" });
  // refused before a word was sent: an address nodemailer cannot use
  if (err.code === "EENVELOPE" && err.command === "API") return new SendError(message, "permanent", { code: "EENVELOPE" });
  return new SendError(message, "transient", { code });
}
