import { route } from "@/lib/api";
import { integrationsHealth } from "@/lib/integrations/service";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "integrations.read", scope: "integrations:read" }, docs: { summary: "Health of every integration" } }, async () => ({
  items: await integrationsHealth(),
}));
