// Provider webhooks: POST /api/webhooks/<provider>/<integration code>
import { handleWebhookRequest } from "@/lib/webhooks/route";

export const dynamic = "force-dynamic";

export async function POST(req: Request, { params }: { params: Promise<{ provider: string; code: string }> }) {
  const { provider, code } = await params;
  return handleWebhookRequest(req, { provider, code });
}
