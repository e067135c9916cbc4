import { route } from "@/lib/api";
import { BULK_BODY_LIMIT_BYTES } from "@/lib/body-limit";
import { sendBulk } from "@/lib/messaging/service";
import { batch, bulkInput } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.bulk", scope: "messages:bulk" },
    body: bulkInput,
    bodyLimit: BULK_BODY_LIMIT_BYTES,
    docs: { summary: "Send an e-mail to many recipients", status: 202, response: batch },
  },
  async ({ body, caller }) => Response.json(await sendBulk("email", body, caller), { status: 202 }),
);
