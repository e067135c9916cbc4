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
  if (o.headOfStreams && res.headers.get("content-type")?.startsWith("text/event-stream")) {
    gone.abort();
    await res.body?.cancel().catch(() => {});
    return { status: res.status, headers: res.headers, json: undefined as T, text: "" };
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

/** The session cookie next-auth would set for this user. */
export async function sessionCookie(user: { id: string; sessionVersion: number }) {
  const token = await encode({ token: { uid: user.id, sv: user.sessionVersion }, secret: process.env.NEXTAUTH_SECRET! });
  return `next-auth.session-token=${token}`;
}
