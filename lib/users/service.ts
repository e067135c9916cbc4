// People: invited by an admin (a one-time link, valid 72 h, to set a password), given a
// role, deactivated when they leave. There is always at least one active admin.
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { db } from "@/lib/db";
import { errors } from "@/lib/errors";
import { audit, diff, type RequestMeta, type Who } from "@/lib/audit";
import { acceptInviteInput, inviteInput, updateUserInput } from "@/lib/users/contract";
import { hashPassword } from "@/lib/auth/password";

const INVITE_TTL_MS = 72 * 3600_000;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

// inputs: lib/users/contract.ts (shared with the invite dialog and the invitation page)

export function publicUser(u: { id: string; email: string; name: string; role: string; active: boolean; passwordHash: string | null; inviteExpiresAt: Date | null; lastLoginAt: Date | null; createdAt: Date }) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    active: u.active,
    status: !u.active ? "deactivated" : u.passwordHash ? "active" : u.inviteExpiresAt && u.inviteExpiresAt > new Date() ? "invited" : "invite_expired",
    inviteExpiresAt: u.inviteExpiresAt,
    lastLoginAt: u.lastLoginAt,
    createdAt: u.createdAt,
  };
}

function newInvite() {
  const token = randomBytes(24).toString("base64url");
  return { token, hash: sha256(token), expiresAt: new Date(Date.now() + INVITE_TTL_MS) };
}

export async function listUsers() {
  const users = await db.user.findMany({ orderBy: [{ active: "desc" }, { createdAt: "asc" }] });
  return users.map(publicUser);
}

export async function inviteUser(input: z.input<typeof inviteInput>, who: Who) {
  const data = inviteInput.parse(input);
  if (await db.user.findUnique({ where: { email: data.email } })) {
    throw errors.conflict("A user with this email already exists", [{ path: "email", message: "Already exists" }]);
  }
  const inv = newInvite();
  const user = await db.user.create({
    data: {
      email: data.email,
      name: data.name,
      role: data.role,
      inviteTokenHash: inv.hash,
      inviteExpiresAt: inv.expiresAt,
      createdById: who.actor.type === "user" ? who.actor.id : null,
    },
  });
  await audit(who.actor, "user.invite", "user", user.id, { email: user.email, role: user.role }, who.meta);
  return { user: publicUser(user), inviteToken: inv.token };
}

/** A fresh invite link (also how an admin resets someone's password). */
export async function reissueInvite(id: string, who: Who) {
  const user = await db.user.findUnique({ where: { id } });
  if (!user) throw errors.notFound("User");
  if (!user.active) throw errors.conflict("The user is deactivated: reactivate them first");
  const inv = newInvite();
  await db.user.update({ where: { id }, data: { inviteTokenHash: inv.hash, inviteExpiresAt: inv.expiresAt } });
  await audit(who.actor, "user.invite_reissued", "user", id, null, who.meta);
  return { inviteToken: inv.token, expiresAt: inv.expiresAt };
}

async function activeAdminCount(excludingId?: string) {
  return db.user.count({ where: { role: "admin", active: true, ...(excludingId ? { id: { not: excludingId } } : {}) } });
}

export async function updateUser(id: string, input: z.input<typeof updateUserInput>, who: Who) {
  const patch = updateUserInput.parse(input);
  const user = await db.user.findUnique({ where: { id } });
  if (!user) throw errors.notFound("User");
  const self = who.actor.type === "user" && who.actor.id === id;
  if (self && patch.active === false) throw errors.conflict("You cannot deactivate your own account");
  if (self && patch.role && patch.role !== user.role) throw errors.conflict("You cannot change your own role");
  const losesAdmin = user.role === "admin" && user.active && ((patch.role && patch.role !== "admin") || patch.active === false);
  if (losesAdmin && (await activeAdminCount(id)) === 0) throw errors.conflict("At least one active admin must remain");
  const revokeSessions = (patch.role && patch.role !== user.role) || patch.active === false;
  const updated = await db.user.update({
    where: { id },
    data: {
      ...patch,
      ...(patch.active === false ? { inviteTokenHash: null, inviteExpiresAt: null } : {}),
      ...(revokeSessions ? { sessionVersion: { increment: 1 } } : {}),
    },
  });
  const changes = diff({ name: user.name, role: user.role, active: user.active }, { name: updated.name, role: updated.role, active: updated.active });
  if (Object.keys(changes).length) await audit(who.actor, "user.update", "user", id, changes, who.meta);
  return publicUser(updated);
}

export async function acceptInvite(input: z.input<typeof acceptInviteInput>, meta?: RequestMeta) {
  const data = acceptInviteInput.parse(input);
  const user = await db.user.findUnique({ where: { inviteTokenHash: sha256(data.token) } });
  if (!user || !user.active || !user.inviteExpiresAt || user.inviteExpiresAt <= new Date()) {
    throw errors.notFound("Invitation (it may have expired or been used)");
  }
  await db.user.update({
    where: { id: user.id },
    data: {
      passwordHash: await hashPassword(data.password),
      inviteTokenHash: null,
      inviteExpiresAt: null,
      sessionVersion: { increment: 1 },
    },
  });
  await audit({ type: "user", id: user.id, label: user.email }, "user.password_set", "user", user.id, null, meta);
  return { email: user.email };
}

export async function inviteInfo(token: string) {
  const user = await db.user.findUnique({ where: { inviteTokenHash: sha256(token) } });
  if (!user || !user.active || !user.inviteExpiresAt || user.inviteExpiresAt <= new Date()) return null;
  return { email: user.email, name: user.name };
}
