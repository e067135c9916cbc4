import { z } from "zod";
import { route, idParams } from "@/lib/api";
import { deleteTemplate, getTemplate, updateTemplate } from "@/lib/messaging/templates";
import { deletedAnswer, messageTemplate } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "messages.read", scope: "templates:read" }, params: idParams, docs: { summary: "Get a message template", response: messageTemplate } }, async ({ params }) =>
  getTemplate(params.id),
);

export const PATCH = route(
  {
    access: { permission: "templates.manage" },
    params: idParams,
    body: z.unknown(),
    docs: { summary: "Change a message template", response: messageTemplate },
  },
  async ({ params, body, caller }) =>
    updateTemplate(params.id, body, caller),
);

export const DELETE = route(
  {
    access: { permission: "templates.manage" },
    params: idParams,
    docs: { summary: "Delete a message template (built-in ones cannot be deleted)", response: deletedAnswer },
  },
  async ({ params, caller }) =>
    deleteTemplate(params.id, caller),
);
