import { route } from "@/lib/api";
import { providerCatalog } from "@/lib/integrations/service";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "integrations.read", scope: "integrations:read" },
    docs: { summary: "List the providers that can be connected and their fields" },
  },
  async () => ({
    items: providerCatalog(),
  }),
);
