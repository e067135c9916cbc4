// The users API's request shapes, shared with the dashboard's invite dialog and the invitation
// page's password form: zod only (no database), so the browser checks a form with the server's
// own rules.
import { z } from "zod";
import "@/lib/errors";
import { ROLES } from "@/lib/auth/roles";
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
