import { z } from "zod";
import { route, idParams } from "@/lib/api";
import { messageStatus } from "@/lib/messaging/service";
import { refreshStatus } from "@/lib/messaging/outbox";
import { messageStatusAnswer } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "messages.read", scope: "messages:read" },
    params: idParams,
    query: z.strictObject({ refresh: z.enum(["0", "1", "true", "false"]).optional() }),
    docs: { summary: "Delivery status of an SMS (?refresh=1 asks the provider)", response: messageStatusAnswer },
  },
  async ({ params, query }) => {
    const refresh = query.refresh === "1" || query.refresh === "true" ? await refreshStatus(params.id) : undefined;
    return { ...(await messageStatus(params.id)), ...(refresh ? { refresh } : {}) };
  },
);
