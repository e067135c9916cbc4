import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { LogsExplorer } from "@/components/logs/logs-explorer";

export const metadata = { title: "Logs" };

export default async function LogsPage() {
  await requirePermission("logs.read");
  return (
    <Suspense>
      <LogsExplorer />
    </Suspense>
  );
}
