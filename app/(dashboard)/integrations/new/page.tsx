import { requirePermission } from "@/lib/auth/page";
import { providerCatalog } from "@/lib/integrations/service";
import { NewIntegration } from "@/components/integrations/new-integration";

export const metadata = { title: "New integration" };

export default async function NewIntegrationPage({ searchParams }: { searchParams: Promise<{ provider?: string }> }) {
  await requirePermission("integrations.write");
  const sp = await searchParams;
  return <NewIntegration providers={providerCatalog()} initialProvider={sp.provider} />;
}
