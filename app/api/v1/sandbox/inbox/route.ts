import { z } from "zod";
import { route } from "@/lib/api";
import { sandboxInbox } from "@/lib/messaging/sandbox-inbox";
import { sandboxInboxAnswer } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "sandbox.read" },
    query: z.strictObject({ provider: z.string().max(40).optional(), kind: z.string().max(20).optional() }),
    docs: { summary: "What the sandboxes sent: SMS, e-mail, push and chat messages", response: sandboxInboxAnswer },
  },
  async ({ query }) => sandboxInbox(query),
);
