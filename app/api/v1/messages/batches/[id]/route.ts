import { route, idParams } from "@/lib/api";
import { batchProgress } from "@/lib/messaging/service";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "messages.read", scope: "messages:read" }, params: idParams, docs: { summary: "Progress of a bulk send" } }, async ({ params }) =>
  batchProgress(params.id),
);
