import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { IntegrationsList } from "@/components/integrations/integrations-list";

export const metadata = { title: "Integrations" };

export default async function IntegrationsPage() {
  const user = await requirePermission("integrations.read");
  return (
    <Suspense>
      <IntegrationsList canWrite={can(user.role, "integrations.write")} />
    </Suspense>
  );
}
