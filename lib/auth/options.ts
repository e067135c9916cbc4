// next-auth (4.24) configuration: credentials sign-in against the users table, JWT
// sessions that carry the user id and session version only. Roles and the active flag are
// read from the database on every request (lib/auth/session.ts), so a role change or a
// deactivation takes effect at once.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { signInInput } from "@/lib/auth/contract";
import { db } from "@/lib/db";
import { verifyPassword, burnPasswordCheck } from "@/lib/auth/password";
import { admitSignin, signinSucceeded } from "@/lib/auth/signin-limits";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { audit } from "@/lib/audit";
import { logger } from "@/lib/logger";

export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

const credentials = signInInput;

function headerOf(req: unknown, name: string): string | undefined {
  const h = (req as { headers?: Record<string, string | string[] | undefined> } | undefined)?.headers;
  const v = h?.[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Thrown messages reach the sign-in form as `error`; keep them free of detail an attacker could use. */
export const SIGNIN_ERRORS = {
  invalid: "Invalid email or password",
  limited: "Too many sign-in attempts. Try again later.",
} as const;

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `sleep` is the account's wait (lib/auth/signin-limits.ts); tests pass one that records it. */
export async function authorizeCredentials(raw: unknown, ip: string, deps: { sleep?: (ms: number) => Promise<void> } = {}) {
  const parsed = credentials.safeParse(raw);
  if (!parsed.success) throw new Error(SIGNIN_ERRORS.invalid);
  const { email, password } = parsed.data;
  const admission = await admitSignin(email, ip);
  if (admission.limited) {
    logger.warn({ email, ip }, "sign-in rate limited");
    await audit({ type: "system", label: ip }, "auth.signin_rate_limited", "user", null, { email }, { ip });
    throw new Error(SIGNIN_ERRORS.limited);
  }
  if (admission.delayMs > 0) {
    logger.warn({ email, ip, delayMs: admission.delayMs }, "sign-in slowed: many recent failures on this account");
    await (deps.sleep ?? realSleep)(admission.delayMs);
  }
  const user = await db.user.findUnique({ where: { email } });
  if (!user || !user.passwordHash || !user.active) {
    await burnPasswordCheck(password);
    throw new Error(SIGNIN_ERRORS.invalid);
  }
  if (!(await verifyPassword(password, user.passwordHash))) {
    await audit({ type: "user", id: user.id, label: user.email }, "auth.signin_failed", "user", user.id, null, { ip });
    throw new Error(SIGNIN_ERRORS.invalid);
  }
  // only failures count: the pair's counter starts again, and the account's and address's
  // counters get this attempt back (a person signing in from many tabs is never locked out)
  await signinSucceeded(email, ip);
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  await audit({ type: "user", id: user.id, label: user.email }, "auth.signin", "user", user.id, null, { ip });
  return { id: user.id, email: user.email, name: user.name, sv: user.sessionVersion };
}

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/login" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(creds, req) {
        return authorizeCredentials(creds, headerOf(req, CLIENT_IP_HEADER) ?? "unknown");
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.sv = (user as { sv?: number }).sv;
      }
      return token;
    },
    async session({ session, token }) {
      if (session.user) (session.user as { id?: string }).id = token.uid as string;
      return session;
    },
  },
  logger: {
    error: (code, meta) => logger.error({ code, meta: meta instanceof Error ? meta.message : undefined }, "next-auth"),
    warn: (code) => logger.warn({ code }, "next-auth"),
    debug: () => {},
  },
};
