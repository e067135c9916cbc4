import { route, idParams } from "@/lib/api";
import { alertResponse, resolveAlert } from "@/lib/alerts/service";
import { resolveAlertInput } from "@/lib/alerts/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "alerts.manage", scope: "alerts:write" },
    params: idParams,
    body: resolveAlertInput,
    docs: {
      summary: "Resolve an alert",
      description:
        "Marks an open alert resolved, with an optional note (audited as alert.resolve). It stays resolved until the problem happens again after this moment; then a new alert opens. 409 when it is already resolved.",
      response: alertResponse,
    },
  },
  async ({ params, body, caller }) => resolveAlert(params.id, body.note, caller),
);
