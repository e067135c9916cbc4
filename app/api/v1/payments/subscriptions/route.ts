import { route } from "@/lib/api";
import { createSubscription, listSubscriptions } from "@/lib/payments/subscriptions";
import { createSubscriptionInput, listSubscriptionsQuery, subscriptionCreated, subscriptionList } from "@/lib/payments/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "payments.read", scope: "payments:read" },
    query: listSubscriptionsQuery,
    docs: { summary: "List subscriptions, newest first", response: subscriptionList },
  },
  async ({ query }) => listSubscriptions(query),
);

export const POST = route(
  {
    access: { permission: "payments.create", scope: "payments:write" },
    body: createSubscriptionInput,
    docs: {
      summary: "Create a subscription (a recurring payment) and the page where the payer approves it",
      description:
        "Amounts are integer minor units, charged every intervalCount intervals. A provider or integration without subscriptions is a 400 naming the field that chose it: never a one-time charge. 200 with the first answer when the Idempotency-Key was used before.",
      status: 201,
      idempotent: true,
      response: subscriptionCreated,
    },
    idempotency: true,
  },
  async ({ body, caller, req }) => {
    const s = await createSubscription(body, caller, req.headers.get("idempotency-key"));
    return Response.json(s, { status: "replayed" in s ? 200 : 201 });
  },
);
