import { route } from "@/lib/api";
import { listLinks, listLinksQuery } from "@/lib/erp/links";
import { erpLinkList } from "@/lib/erp/contract";

export const dynamic = "force-dynamic";

// ?status=&entity_type=&integration_id=&entity_id=&limit=&cursor=: newest first, counts by status
export const GET = route(
  {
    access: { permission: "erp.read", scope: "erp:read" },
    query: listLinksQuery,
    docs: { summary: "List 1C links, newest first, with counts by status", response: erpLinkList },
  },
  async ({ query }) => listLinks(query),
);
