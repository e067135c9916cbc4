import { route } from "@/lib/api";
import { createPayment, listPayments, listPaymentsQuery } from "@/lib/payments/service";
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
    docs: { summary: "Create a payment or payment link", description: "Amounts are integer minor units of the currency. 200 with the first payment when the Idempotency-Key was used before.", status: 201, idempotent: true, response: paymentCreated },
    idempotency: true,
  },
  async ({ body, caller, req }) => {
    const p = await createPayment(body, caller, req.headers.get("idempotency-key"));
    return Response.json(p, { status: "replayed" in p ? 200 : 201 });
  },
);
