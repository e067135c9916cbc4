import { route } from "@/lib/api";
import { preview } from "@/lib/messaging/templates";
import { previewInput, templatePreview } from "@/lib/messaging/contract";

export const dynamic = "force-dynamic";

export const POST = route(
  {
    access: { permission: "messages.read", scope: "templates:read" },
    body: previewInput,
    docs: { summary: "Render a template with sample data", response: templatePreview },
  },
  async ({ body }) => preview(body),
);
