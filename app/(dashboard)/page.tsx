import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { Overview } from "@/components/overview/overview";

export const metadata = { title: "Overview" };

export default async function OverviewPage() {
  const user = await requirePermission("overview.read");
  return (
    <Suspense>
      <Overview name={user.name} canManageKeys={can(user.role, "apikeys.manage")} canConnect={can(user.role, "integrations.write")} />
    </Suspense>
  );
}
