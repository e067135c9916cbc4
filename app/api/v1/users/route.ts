import { route, json } from "@/lib/api";
import { inviteInput, inviteUser, listUsers } from "@/lib/users/service";
import { inviteUrl } from "@/lib/users/urls";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "users.manage" } }, async () => ({ items: await listUsers() }));

export const POST = route({ access: { permission: "users.manage" }, body: inviteInput }, async ({ body, caller, req }) => {
  const { user, inviteToken } = await inviteUser(body, caller);
  return json({ user, inviteUrl: inviteUrl(req, inviteToken) }, 201);
});
