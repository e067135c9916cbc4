import { route, idParams } from "@/lib/api";
import { resumeSubscription } from "@/lib/payments/subscriptions";
import { subscriptionDetail } from "@/lib/payments/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "payments.create", scope: "payments:write" },
    params: idParams,
    docs: {
      summary: "Resume a subscription set to cancel at the end of its period",
      description: "422 when there is nothing to resume, in the words of its actions.resume.reason.",
      idempotent: true,
      response: subscriptionDetail,
    },
    idempotency: true,
  },
  async ({ params, caller }) => resumeSubscription(params.id, caller),
);
