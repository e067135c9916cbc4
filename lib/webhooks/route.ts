// The HTTP face of the inbox, shared by /api/webhooks/<provider>/<code> and
// /api/webhooks/receive/<code>: any unexpected failure is a 500 in the project's error shape
// (the provider retries), never a stack trace.
import { errorBody } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { ingestWebhook, type IngestTarget } from "@/lib/webhooks/ingest";

export async function handleWebhookRequest(req: Request, target: IngestTarget): Promise<Response> {
  try {
    return await ingestWebhook(req, target);
  } catch (e) {
    logger.error({ err: (e as Error).message, code: target.code, provider: target.provider }, "webhook ingest failed");
    return Response.json(errorBody("internal_error", "The webhook could not be stored; retry later"), { status: 500 });
  }
}
