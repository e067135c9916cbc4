// Guards for server components: the signed-in user, or a redirect to sign in, or a 403.
import "server-only";
import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { userFromSessionToken, sessionTokenFromCookieHeader, type SessionUser } from "@/lib/auth/session";
import { can, type Permission } from "@/lib/auth/roles";

export async function currentUser(): Promise<SessionUser | null> {
  const jar = await cookies();
  const header = jar
    .getAll()
    .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
    .join("; ");
  return userFromSessionToken(sessionTokenFromCookieHeader(header));
}

/** Signed in, or off to the sign-in page (coming back here afterwards). */
export async function requireUser(): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) {
    const h = await headers();
    const path = h.get("x-switchboard-path") ?? "/";
    redirect(`/login?callbackUrl=${encodeURIComponent(path)}`);
  }
  return user;
}

/**
 * Signed in with a role that has the permission, or the "no access" view: HTTP 403 at the
 * page's own address, inside the dashboard layout (app/(dashboard)/forbidden.tsx; needs
 * experimental.authInterrupts in next.config.ts).
 */
export async function requirePermission(permission: Permission): Promise<SessionUser> {
  const user = await requireUser();
  if (!can(user.role, permission)) forbidden();
  return user;
}
