import { z } from "zod";
import { route } from "@/lib/api";
import { auditEntry, getAuditEntry } from "@/lib/audit/query";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "audit.read", scope: "audit:read" },
    params: z.strictObject({ id: z.string().max(20) }),
    docs: { summary: "One audit entry", response: auditEntry },
  },
  async ({ params }) => getAuditEntry(params.id),
);
