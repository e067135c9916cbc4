import { route } from "@/lib/api";
import { providerCatalog } from "@/lib/integrations/service";
import { providerList } from "@/lib/integrations/contract";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "integrations.read", scope: "integrations:read" },
    docs: { summary: "List the providers that can be connected and their fields", response: providerList },
  },
  async () => ({
    items: providerCatalog(),
  }),
);
