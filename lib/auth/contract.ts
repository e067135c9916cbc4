// The sign-in form's rules, one schema for the browser (validated before anything is sent) and
// the server (lib/auth/options.ts). No database or server imports: the login page bundles it.
import { z } from "zod";

/** the shortest password a person may set (invitations, resets) */
export const PASSWORD_MIN_LENGTH = 10;

export const signInInput = z.object({
  email: z.string().trim().toLowerCase().min(1, "Enter your email").max(320, "An email is at most 320 characters").email("Enter a valid email address"),
  password: z.string().min(1, "Enter your password").max(1024, "A password is at most 1024 characters"),
});

export type SignInField = keyof z.input<typeof signInInput>;

/** The first problem with each field, in words, or null when the form can be sent. */
export function signInErrors(value: Record<SignInField, string>): Partial<Record<SignInField, string>> | null {
  const r = signInInput.safeParse(value);
  if (r.success) return null;
  const out: Partial<Record<SignInField, string>> = {};
  for (const issue of r.error.issues) {
    const field = issue.path[0] as SignInField;
    out[field] ??= issue.message;
  }
  return out;
}
