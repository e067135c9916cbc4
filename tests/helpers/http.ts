// Calls route handlers the way Next.js does: a NextRequest in, a Response out.
import { NextRequest } from "next/server";
import { encode } from "next-auth/jwt";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

export type CallOptions = {
  method?: string;
  url?: string;
  /** objects are sent as JSON */
  body?: unknown;
  /** sent as is */
  rawBody?: string;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  cookie?: string;
  bearer?: string;
  ip?: string;
  /** an event stream answer is not read to its (never coming) end: its head is returned and the request aborted */
  headOfStreams?: boolean;
  /** like headOfStreams, with the stream's first event (its text block) in `text` */
  firstEventOfStreams?: boolean;
};

export type CallResult<T = any> = { status: number; headers: Headers; json: T; text: string };

export async function call<T = any>(handler: Handler, o: CallOptions = {}): Promise<CallResult<T>> {
  const headers: Record<string, string> = { [CLIENT_IP_HEADER]: o.ip ?? "10.0.0.1", ...(o.headers ?? {}) };
  if (o.cookie) headers.cookie = o.cookie;
  if (o.bearer !== undefined) headers.authorization = `Bearer ${o.bearer}`;
  let body: string | undefined = o.rawBody;
  if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers["content-type"] ??= "application/json";
  }
  const gone = new AbortController();
  const req = new NextRequest(new URL(o.url ?? "/", "http://localhost:3000"), { method: o.method ?? (body ? "POST" : "GET"), headers, body, signal: gone.signal });
  const res = await handler(req, { params: Promise.resolve(o.params ?? {}) });
  if ((o.headOfStreams || o.firstEventOfStreams) && res.headers.get("content-type")?.startsWith("text/event-stream")) {
    const text = o.firstEventOfStreams && res.body ? await firstEventBlock(res.body) : "";
    gone.abort();
    await res.body?.cancel().catch(() => {});
    return { status: res.status, headers: res.headers, json: undefined as T, text };
  }
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Reads an event stream up to the end of its first event; that event's text (lines before the blank line). */
export async function firstEventBlock(body: ReadableStream<Uint8Array>): Promise<string> {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  try {
    while (!buf.includes("\n\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
    }
  } finally {
    reader.releaseLock();
  }
  return buf.split("\n\n")[0];
}

/** The session cookie next-auth would set for this user. */
export async function sessionCookie(user: { id: string; sessionVersion: number }) {
  const token = await encode({ token: { uid: user.id, sv: user.sessionVersion }, secret: process.env.NEXTAUTH_SECRET! });
  return `next-auth.session-token=${token}`;
}
