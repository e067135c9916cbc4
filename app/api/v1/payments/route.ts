import { route } from "@/lib/api";
import { createPayment, createPaymentInput, listPayments, listPaymentsQuery } from "@/lib/payments/service";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "payments.read", scope: "payments:read" }, query: listPaymentsQuery }, async ({ query }) => listPayments(query));

export const POST = route({ access: { permission: "payments.create", scope: "payments:write" }, body: createPaymentInput }, async ({ body, caller, req }) => {
  const p = await createPayment(body, caller, req.headers.get("idempotency-key"));
  return Response.json(p, { status: "replayed" in p ? 200 : 201 });
});
