import { z } from "zod";
import { route, idParams } from "@/lib/api";
import { getSubscription, refreshSubscription } from "@/lib/payments/subscriptions";
import { subscriptionDetail } from "@/lib/payments/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "payments.read", scope: "payments:read" },
    params: idParams,
    query: z.strictObject({ refresh: z.enum(["0", "1", "true", "false"]).optional() }),
    docs: { summary: "Get a subscription with its charges (payments, with their invoices) and timeline (?refresh=1 asks the provider first)", response: subscriptionDetail },
  },
  async ({ params, query }) => {
    if (query.refresh === "1" || query.refresh === "true") await refreshSubscription(params.id);
    return getSubscription(params.id);
  },
);
