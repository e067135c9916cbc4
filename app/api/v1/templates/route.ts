import { z } from "zod";
import { route } from "@/lib/api";
import { createTemplate, listTemplates } from "@/lib/messaging/templates";
import { CHANNELS, type Channel } from "@/lib/providers/types";
import { messageTemplate, templateList } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "messages.read", scope: "templates:read" },
    query: z.strictObject({ channel: z.enum(CHANNELS as [Channel, ...Channel[]]).optional() }),
    docs: { summary: "List message templates", response: templateList },
  },
  async ({ query }) => ({ items: await listTemplates(query) }),
);

export const POST = route(
  {
    access: { permission: "templates.manage" },
    body: z.unknown(),
    docs: { summary: "Create a message template", status: 201, response: messageTemplate },
  },
  async ({ body, caller }) =>
    Response.json(await createTemplate(body, caller), { status: 201 }),
);
