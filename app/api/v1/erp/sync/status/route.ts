import { route } from "@/lib/api";
import { statusQuery, syncStatus } from "@/lib/erp/links";
import { erpSyncStatus } from "@/lib/erp/contract";

export const dynamic = "force-dynamic";

// ?entity_type=&entity_id=[&integration_id=][&logs=20]: the entity's link and its newest sync log entries
export const GET = route(
  {
    access: { permission: "erp.read", scope: "erp:read" },
    query: statusQuery,
    docs: { summary: "An entity's 1C link and its newest sync log entries", response: erpSyncStatus },
  },
  async ({ query }) => syncStatus(query),
);
