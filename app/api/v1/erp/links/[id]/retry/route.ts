import { idParams, route } from "@/lib/api";
import { outcomeResponse, retryLink } from "@/lib/erp/links";
import { erpSyncResult } from "@/lib/erp/contract";

export const dynamic = "force-dynamic";

// sends the entity again now, whatever its attempts (same answers as POST /api/v1/erp/sync)
export const POST = route(
  {
    access: { permission: "erp.sync", scope: "erp:write" },
    params: idParams,
    docs: { summary: "Send a linked entity to 1C again now", description: "Same answers as POST /api/v1/erp/sync.", response: erpSyncResult },
  },
  async ({ params, caller }) => outcomeResponse(await retryLink(params.id, caller)),
);
