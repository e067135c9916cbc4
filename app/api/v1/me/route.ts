import { route } from "@/lib/api";
import { errors } from "@/lib/errors";
import { PERMISSIONS, can, type Permission } from "@/lib/auth/roles";
import { meAnswer } from "@/lib/users/contract";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "overview.read" }, docs: { summary: "The signed-in user and their permissions", response: meAnswer } }, async ({ caller }) => {
  if (caller.kind !== "user") throw errors.forbidden();
  const permissions = (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(caller.user.role, p));
  return { ...caller.user, permissions };
});
