import { z } from "zod";
import { route } from "@/lib/api";
import { logDetail } from "@/lib/logs/contract";
import { getLog } from "@/lib/logs/query";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "logs.read", scope: "logs:read" },
    params: z.strictObject({ id: z.string().max(20) }),
    docs: { summary: "Get a provider call log entry (redacted request and response)", response: logDetail },
  },
  async ({ params }) => getLog(params.id),
);
