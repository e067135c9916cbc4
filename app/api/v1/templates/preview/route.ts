import { route } from "@/lib/api";
import { preview, previewInput } from "@/lib/messaging/templates";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.read", scope: "templates:read" },
    body: previewInput,
    docs: { summary: "Render a template with sample data" },
  },
  async ({ body }) => preview(body),
);
