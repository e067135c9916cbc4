import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { AlertsPage } from "@/components/alerts/alerts-page";

export const metadata = { title: "Alerts" };

export default async function Page() {
  const user = await requirePermission("alerts.read");
  return (
    <Suspense>
      <AlertsPage canManage={can(user.role, "alerts.manage")} />
    </Suspense>
  );
}
