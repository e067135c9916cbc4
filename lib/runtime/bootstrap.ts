// The first admin: created once, with a random password printed once and stored hashed.
import { db } from "@/lib/db";
import { hashPassword, generatePassword } from "@/lib/auth/password";
import { audit } from "@/lib/audit";
import { clearSigninLimits } from "@/lib/auth/signin-limits";

export const FIRST_ADMIN_EMAIL = "admin@switchboard.local";

/** Printed at the first start when the first admin has the predictable default e-mail. */
export function firstAdminHint(email: string): string | null {
  if (email.trim().toLowerCase() !== FIRST_ADMIN_EMAIL) return null;
  return `The first admin has the default e-mail ${FIRST_ADMIN_EMAIL}, which anyone can guess (and slow down with failed sign-ins). Set SWITCHBOARD_ADMIN_EMAIL to your own address before the first start, or invite yourself and deactivate this account.`;
}

export async function ensureFirstAdmin(email = process.env.SWITCHBOARD_ADMIN_EMAIL ?? FIRST_ADMIN_EMAIL) {
  if ((await db.user.count()) > 0) return null;
  const password = generatePassword();
  const user = await db.user.create({
    data: { email: email.toLowerCase(), name: "Administrator", role: "admin", passwordHash: await hashPassword(password) },
  });
  await audit({ type: "system", label: "bootstrap" }, "user.create", "user", user.id, { email: user.email, role: "admin" });
  return { email: user.email, password, hint: firstAdminHint(user.email) };
}

export async function resetPassword(email: string) {
  const user = await db.user.findUnique({ where: { email: email.toLowerCase() } });
  if (!user) return null;
  const password = generatePassword();
  await db.user.update({
    where: { id: user.id },
    data: { passwordHash: await hashPassword(password), active: true, sessionVersion: { increment: 1 } },
  });
  // a locked-out admin runs this: the account's sign-in limits (every address) start again
  await clearSigninLimits(user.email);
  await audit({ type: "system", label: "cli" }, "user.password_reset", "user", user.id, null);
  return { email: user.email, password };
}
