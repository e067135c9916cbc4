import { route, idParams } from "@/lib/api";
import { cancelSubscription } from "@/lib/payments/subscriptions";
import { cancelSubscriptionInput, subscriptionDetail } from "@/lib/payments/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "payments.create", scope: "payments:write" },
    params: idParams,
    body: cancelSubscriptionInput,
    docs: {
      summary: "Cancel a subscription now, or at the end of the period paid for (atPeriodEnd: resume undoes it until then)",
      description: "422 when it cannot be canceled (already ended), in the words of its actions.cancel.reason.",
      idempotent: true,
      response: subscriptionDetail,
    },
    idempotency: true,
  },
  async ({ params, body, caller }) => cancelSubscription(params.id, body, caller),
);
