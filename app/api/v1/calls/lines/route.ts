import { route } from "@/lib/api";
import { listLines } from "@/lib/telephony/calls";
import { lineList } from "@/lib/telephony/contract";

export const dynamic = "force-dynamic";

/** The RingCentral integrations calls go through: connected or not, the 'from' number, the last sync, the webhook subscription. */
export const GET = route({ access: { permission: "calls.read", scope: "calls:read" }, docs: { summary: "List the RingCentral lines calls go through", response: lineList } }, async () => listLines());
