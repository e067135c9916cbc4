import { route, idParams } from "@/lib/api";
import { alertResponse, getAlert } from "@/lib/alerts/service";

export const dynamic = "force-dynamic";

export const GET = route(
  { access: { permission: "alerts.read", scope: "alerts:read" }, params: idParams, docs: { summary: "Get an alert", response: alertResponse } },
  async ({ params }) => getAlert(params.id),
);
