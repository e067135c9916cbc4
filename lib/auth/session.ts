// Who is calling: the signed-in user behind a session cookie, checked against the database
// on every request (active, current session version, current role).
import { decode } from "next-auth/jwt";
import { db } from "@/lib/db";
import type { Role } from "@/lib/auth/roles";

export type SessionUser = { id: string; email: string; name: string; role: Role };

export const SESSION_COOKIES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

function secret() {
  const s = process.env.NEXTAUTH_SECRET;
  if (!s) throw new Error("NEXTAUTH_SECRET is not set");
  return s;
}

export async function userFromSessionToken(token: string | undefined): Promise<SessionUser | null> {
  if (!token) return null;
  let payload: Record<string, unknown> | null;
  try {
    payload = (await decode({ token, secret: secret() })) as Record<string, unknown> | null;
  } catch {
    return null;
  }
  if (!payload || typeof payload.uid !== "string") return null;
  const user = await db.user.findUnique({ where: { id: payload.uid } });
  if (!user || !user.active || user.sessionVersion !== payload.sv) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

export function sessionTokenFromCookieHeader(cookieHeader: string | null): string | undefined {
  if (!cookieHeader) return undefined;
  const jar = new Map<string, string>();
  for (const part of cookieHeader.split(";")) {
    const i = part.indexOf("=");
    if (i > 0) jar.set(part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim()));
  }
  for (const name of SESSION_COOKIES) {
    const v = jar.get(name);
    if (v) return v;
  }
  // next-auth splits large cookies into .0, .1 …
  for (const name of SESSION_COOKIES) {
    const chunks: string[] = [];
    for (let i = 0; jar.has(`${name}.${i}`); i++) chunks.push(jar.get(`${name}.${i}`)!);
    if (chunks.length) return chunks.join("");
  }
  return undefined;
}
