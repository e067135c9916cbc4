import { route, idParams } from "@/lib/api";
import { reissueInvite } from "@/lib/users/service";
import { inviteUrl } from "@/lib/users/urls";
import { reissuedInvite } from "@/lib/users/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "users.manage" },
    params: idParams,
    docs: { summary: "Issue a new invitation link for a user", response: reissuedInvite },
  },
  async ({ params, caller, req }) => {
    const { inviteToken, expiresAt } = await reissueInvite(params.id, caller);
    return { inviteUrl: inviteUrl(req, inviteToken), expiresAt };
  },
);
