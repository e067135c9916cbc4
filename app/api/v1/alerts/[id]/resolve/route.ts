import { z } from "zod";
import { route, idParams } from "@/lib/api";
import { alertResponse, resolveAlert } from "@/lib/alerts/service";

export const dynamic = "force-dynamic";

const body = z
  .object({
    /** what was done about it, kept with the alert */
    note: z.string().trim().max(1000, "At most 1000 characters").optional(),
  })
  .strict()
  .default({});

export const POST = route(
  {
    access: { permission: "alerts.manage", scope: "alerts:write" },
    params: idParams,
    body,
    docs: {
      summary: "Resolve an alert",
      description:
        "Marks an open alert resolved, with an optional note (audited as alert.resolve). It stays resolved until the problem happens again after this moment; then a new alert opens. 409 when it is already resolved.",
      response: alertResponse,
    },
  },
  async ({ params, body, caller }) => resolveAlert(params.id, body.note, caller),
);
