import { route } from "@/lib/api";
import { searchForSync, searchQuery } from "@/lib/erp/links";
import { erpEntitySearch } from "@/lib/erp/contract";

export const dynamic = "force-dynamic";

// ?entity_type=company&q=ромашка: companies, drivers, applications or payments to pick for "Sync now"
export const GET = route(
  {
    access: { permission: "erp.read", scope: "erp:read" },
    query: searchQuery,
    docs: { summary: "Search companies, drivers, orders or payments to sync to 1C", response: erpEntitySearch },
  },
  async ({ query }) => searchForSync(query),
);
