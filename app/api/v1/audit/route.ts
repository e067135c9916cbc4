import { route } from "@/lib/api";
import { auditPage, auditQuery, queryAudit } from "@/lib/audit/query";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "audit.read", scope: "audit:read" },
    query: auditQuery,
    docs: {
      summary: "The audit trail",
      description:
        "Who changed what, when and from where, newest first. Filters: actor (an id, or part of the label), action (exact, or a prefix such as integration.*), entity type and id, ip (exact or a prefix ending in *), from/to. Pass nextCursor as cursor for older entries.",
      response: auditPage,
    },
  },
  async ({ query }) => queryAudit(query),
);
