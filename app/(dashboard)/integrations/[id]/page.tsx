import { notFound } from "next/navigation";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { db } from "@/lib/db";
import { describeProvider, serialize } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { getSettings } from "@/lib/settings";
import { IntegrationDetail } from "@/components/integrations/integration-detail";

export const metadata = { title: "Integration" };

export default async function IntegrationPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePermission("integrations.read");
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  // the webhook and redirect URLs below use the Settings page's public base URL: read it fresh
  const [row] = await Promise.all([db.integration.findUnique({ where: { id } }), getSettings()]);
  if (!row) notFound();
  const def = getProvider(row.provider);
  return (
    <IntegrationDetail
      initial={JSON.parse(JSON.stringify(serialize(row)))}
      syncTypes={def ? describeProvider(def).syncTypes : []}
      can={{
        write: can(user.role, "integrations.write"),
        credentials: can(user.role, "integrations.credentials"),
        test: can(user.role, "integrations.test"),
        runJobs: can(user.role, "jobs.run"),
      }}
    />
  );
}
