import { route } from "@/lib/api";
import { integrationsHealth } from "@/lib/integrations/service";
import { integrationHealthList } from "@/lib/integrations/contract";

export const dynamic = "force-dynamic";

export const GET = route({ access: { permission: "integrations.read", scope: "integrations:read" }, docs: { summary: "Health of every integration", response: integrationHealthList } }, async () => ({
  items: await integrationsHealth(),
}));
