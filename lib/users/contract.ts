// The users API's request shapes, shared with the dashboard's invite dialog: zod only (no
// database), so the browser checks a form with the server's own rules.
import { z } from "zod";
import "@/lib/errors";
import { ROLES } from "@/lib/auth/roles";

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

