import { route } from "@/lib/api";
import { createPayment, getPayment, listPayments, listPaymentsQuery } from "@/lib/payments/service";
import { createSubscriptionFromPayment } from "@/lib/payments/subscriptions";
import { createPaymentInput, paymentCreated, paymentList } from "@/lib/payments/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "payments.read", scope: "payments:read" },
    query: listPaymentsQuery,
    docs: { summary: "List payments, newest first", response: paymentList },
  },
  async ({ query }) => listPayments(query),
);

export const POST = route(
  {
    access: { permission: "payments.create", scope: "payments:write" },
    body: createPaymentInput,
    docs: { summary: "Create a payment or payment link", description: "Amounts are integer minor units of the currency. With `subscription`, a subscription is made (as POST /payments/subscriptions does; a provider without subscriptions is a 400) and its first charge answered. 200 with the first payment when the Idempotency-Key was used before.", status: 201, idempotent: true, response: paymentCreated },
    idempotency: true,
  },
  async ({ body, caller, req }) => {
    // a subscription is made as one (lib/payments/subscriptions.ts: a provider without them is a
    // 400, never a one-time charge); the answer is its first charge
    if (body.subscription) {
      const { subscription, ...rest } = body;
      const s = await createSubscriptionFromPayment({ ...rest, subscription }, caller, req.headers.get("idempotency-key"));
      const { refunds: _r, logs: _l, integration, ...first } = await getPayment(s.paymentId);
      return Response.json({ ...first, integration: integration ? { name: integration.name, code: integration.code, mode: integration.mode } : undefined, ...(s.replayed ? { replayed: true } : {}) }, { status: s.replayed ? 200 : 201 });
    }
    const p = await createPayment(body, caller, req.headers.get("idempotency-key"));
    return Response.json(p, { status: "replayed" in p ? 200 : 201 });
  },
);
