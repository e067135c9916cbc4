// The first admin: created once, with a random password printed once and stored hashed.
import { db } from "@/lib/db";
import { hashPassword, generatePassword } from "@/lib/auth/password";
import { audit } from "@/lib/audit";

export const FIRST_ADMIN_EMAIL = "admin@switchboard.local";

export async function ensureFirstAdmin(email = process.env.SWITCHBOARD_ADMIN_EMAIL ?? FIRST_ADMIN_EMAIL) {
  if ((await db.user.count()) > 0) return null;
  const password = generatePassword();
  const user = await db.user.create({
    data: { email: email.toLowerCase(), name: "Administrator", role: "admin", passwordHash: await hashPassword(password) },
  });
  await audit({ type: "system", label: "bootstrap" }, "user.create", "user", user.id, { email: user.email, role: "admin" });
  return { email: user.email, password };
}

export async function resetPassword(email: string) {
  const user = await db.user.findUnique({ where: { email: email.toLowerCase() } });
  if (!user) return null;
  const password = generatePassword();
  await db.user.update({
    where: { id: user.id },
    data: { passwordHash: await hashPassword(password), active: true, sessionVersion: { increment: 1 } },
  });
  await audit({ type: "system", label: "cli" }, "user.password_reset", "user", user.id, null);
  return { email: user.email, password };
}
