import { route } from "@/lib/api";
import { listBatches } from "@/lib/messaging/service";
import { batchList } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "messages.read", scope: "messages:read" }, docs: { summary: "List bulk sends", response: batchList } }, async () => listBatches());
