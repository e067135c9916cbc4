import { route } from "@/lib/api";
import { paymentStats, paymentStatsQuery } from "@/lib/payments/service";
import { paymentStatsAnswer } from "@/lib/payments/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "payments.read", scope: "payments:read" },
    query: paymentStatsQuery,
    docs: { summary: "Payment totals by currency and status, and revenue per day", response: paymentStatsAnswer },
  },
  async ({ query }) => paymentStats(query),
);
