import { route } from "@/lib/api";
import { paymentStats, paymentStatsQuery } from "@/lib/payments/service";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "payments.read", scope: "payments:read" }, query: paymentStatsQuery }, async ({ query }) => paymentStats(query));
