// The users API's request and answer shapes, shared with the dashboard's invite dialog, the
// users page and the invitation page's password form: zod only (no database), so the browser
// checks a form with the server's own rules and reads the answers' types.
import { z } from "zod";
import "@/lib/errors";
import { PERMISSIONS, ROLES, type Permission } from "@/lib/auth/roles";
import { timestamp } from "@/lib/contract";
import { PASSWORD_MIN_LENGTH } from "@/lib/auth/contract";

export const inviteInput = z.strictObject({
  email: z.string().trim().toLowerCase().email("Enter a valid e-mail address").max(320),
  name: z.string().trim().min(1, "Enter their name").max(120),
  role: z.enum(ROLES),
});

export const updateUserInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    role: z.enum(ROLES),
    active: z.boolean(),
  })
  .partial()
  .strict();

/** POST /api/v1/invites/accept: the invitation's token and the password the person sets */
export const acceptInviteInput = z.strictObject({
  token: z.string().min(20).max(200),
  password: z.string().min(PASSWORD_MIN_LENGTH, `At least ${PASSWORD_MIN_LENGTH} characters`).max(200, "At most 200 characters"),
});

// ───────────── the answers (lib/users/service.ts publicUser; the routes under /api/v1/users, /me, /invites) ─────────────

/** deactivated, or whether the person has set a password yet (an invitation still open or expired) */
export const USER_STATUSES = ["active", "invited", "invite_expired", "deactivated"] as const;

/** A user as the API shows them: never the password hash or the invitation token. */
export const userItem = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  active: z.boolean(),
  status: z.enum(USER_STATUSES),
  inviteExpiresAt: timestamp.nullable(),
  lastLoginAt: timestamp.nullable(),
  createdAt: timestamp,
});
export type UserItem = z.infer<typeof userItem>;

/** GET /api/v1/users */
export const userList = z.object({ items: z.array(userItem) });
export type UserList = z.infer<typeof userList>;

/** POST /api/v1/users: the new user and their one-time invitation link (shown once) */
export const invitedUser = z.object({ user: userItem, inviteUrl: z.string() });
export type InvitedUser = z.infer<typeof invitedUser>;

/** POST /api/v1/users/{id}/invite */
export const reissuedInvite = z.object({ inviteUrl: z.string(), expiresAt: timestamp });
export type ReissuedInvite = z.infer<typeof reissuedInvite>;

/** POST /api/v1/invites/accept */
export const acceptedInvite = z.object({ email: z.string() });

/** GET /api/v1/me: the signed-in user and what their role may do */
export const meAnswer = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  permissions: z.array(z.enum(Object.keys(PERMISSIONS) as [Permission, ...Permission[]])),
});
export type Me = z.infer<typeof meAnswer>;
