import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { LogsExplorer } from "@/components/logs/logs-explorer";

export const metadata = { title: "Logs" };

export default async function LogsPage() {
  const user = await requirePermission("logs.read");
  return (
    <Suspense>
      <LogsExplorer canTest={can(user.role, "integrations.test")} />
    </Suspense>
  );
}
