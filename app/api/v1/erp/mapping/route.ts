import { route } from "@/lib/api";
import { mappingQuery, mappingView } from "@/lib/erp/links";
import { erpMapping } from "@/lib/erp/contract";

export const dynamic = "force-dynamic";

// the 1C integrations and the effective mapping (defaults + config.mapping) of one of them
export const GET = route(
  {
    access: { permission: "erp.read", scope: "erp:read" },
    query: mappingQuery,
    docs: { summary: "Show the 1C integrations and one's effective field mapping", response: erpMapping },
  },
  async ({ query }) => mappingView(query),
);
