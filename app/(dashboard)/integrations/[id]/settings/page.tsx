import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeft } from "lucide-react";
import { requirePermission } from "@/lib/auth/page";
import { db } from "@/lib/db";
import { describeProvider, serialize } from "@/lib/integrations/service";
import { getProvider } from "@/lib/providers/registry";
import { getSettings } from "@/lib/settings";
import { IntegrationForm } from "@/components/integrations/integration-form";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";

export const metadata = { title: "Integration settings" };

/** Credentials live here, so the page is for those who may manage them (admins). */
export default async function IntegrationSettingsPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePermission("integrations.credentials");
  const { id } = await params;
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound();
  // the webhook and redirect URLs below use the Settings page's public base URL: read it fresh
  const [row] = await Promise.all([db.integration.findUnique({ where: { id } }), getSettings()]);
  const def = row && getProvider(row.provider);
  if (!row || !def) notFound();
  const integration = JSON.parse(JSON.stringify(serialize(row, { withCredentials: true })));
  return (
    <>
      <PageHeader
        title={`${row.name}: settings`}
        description={`${def.name} · ${row.code}`}
        actions={
          <Button variant="ghost" asChild>
            <Link href={`/integrations/${row.id}`}>
              <ArrowLeft /> Back
            </Link>
          </Button>
        }
      />
      <div className="max-w-3xl">
        <IntegrationForm provider={describeProvider(def)} integration={integration} />
      </div>
    </>
  );
}
