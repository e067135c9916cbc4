import { route, json } from "@/lib/api";
import { inviteUser, listUsers } from "@/lib/users/service";
import { invitedUser, inviteInput, userList } from "@/lib/users/contract";
import { inviteUrl } from "@/lib/users/urls";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "users.manage" }, docs: { summary: "List users", response: userList } }, async () => ({ items: await listUsers() }));

export const POST = route(
  {
    access: { permission: "users.manage" },
    body: inviteInput,
    docs: { summary: "Invite a user (answers the invitation link)", status: 201, response: invitedUser },
  },
  async ({ body, caller, req }) => {
    const { user, inviteToken } = await inviteUser(body, caller);
    return json({ user, inviteUrl: inviteUrl(req, inviteToken) }, 201);
  },
);
