import { route } from "@/lib/api";
import { acceptInvite } from "@/lib/users/service";
import { acceptedInvite, acceptInviteInput } from "@/lib/users/contract";
import { consume } from "@/lib/rate-limit";
import { errors } from "@/lib/errors";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { public: true },
    body: acceptInviteInput,
    docs: { summary: "Accept an invitation and set a password", description: "Rate limited per client address.", response: acceptedInvite },
  },
  async ({ body, caller }) => {
    const limit = await consume("invite:ip", caller.meta.ip ?? "unknown", 20, 900);
    if (!limit.allowed) throw errors.rateLimited(limit.retryAfterSeconds);
    return acceptInvite(body, caller.meta);
  },
);
