// The HTTP face of the inbox, shared by the App Router routes (/api/webhooks/<provider>/<code>,
// /api/webhooks/receive/<code>) and the node front (lib/webhooks/node-front.ts): refusals in
// the project's error shape; any unexpected failure a 500 (the provider retries), never a
// stack trace.
import { ApiError, errorBody } from "@/lib/errors";
import { errorResponse } from "@/lib/api";
import { logger } from "@/lib/logger";
import { ingestWebhook, type IngestTarget } from "@/lib/webhooks/ingest";

export async function handleWebhookRequest(req: Request, target: IngestTarget): Promise<Response> {
  try {
    return await ingestWebhook(req, target);
  } catch (e) {
    if (e instanceof ApiError) return errorResponse(e);
    logger.error({ err: (e as Error).message, code: target.code, provider: target.provider }, "webhook ingest failed");
    return Response.json(errorBody("internal_error", "The webhook could not be stored; retry later"), { status: 500 });
  }
}
