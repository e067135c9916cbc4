// Custom integrations (and any integration by its code): POST /api/webhooks/receive/<code>
import { handleWebhookRequest } from "@/lib/webhooks/route";

export const dynamic = "force-dynamic";

export async function POST(req: Request, { params }: { params: Promise<{ code: string }> }) {
  const { code } = await params;
  return handleWebhookRequest(req, { provider: null, code });
}
