import { route } from "@/lib/api";
import { outcomeResponse, syncInput, syncOne } from "@/lib/erp/links";
import { erpSyncResult } from "@/lib/erp/contract";

export const dynamic = "force-dynamic";

// One entity to 1C now (synchronous): 200 with the link's status, ref_key and operation
// ("create", "update", "recreate", "unchanged" …); 502 provider_error with the same fields in
// details when 1C refused or could not be reached (the link is then failed and retried later).
export const POST = route(
  {
    access: { permission: "erp.sync", scope: "erp:write" },
    body: syncInput,
    docs: { summary: "Sync one entity to 1C now", description: "Synchronous: 200 with the link's status, ref_key and operation; 502 provider_error with the same fields in details when 1C refused or could not be reached (the link is retried later).", response: erpSyncResult },
  },
  async ({ body, caller }) => outcomeResponse(await syncOne(body, caller)),
);
