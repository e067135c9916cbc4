import { route, idParams } from "@/lib/api";
import { batchProgress } from "@/lib/messaging/service";
import { batch } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "messages.read", scope: "messages:read" }, params: idParams, docs: { summary: "Progress of a bulk send", response: batch } }, async ({ params }) =>
  batchProgress(params.id),
);
