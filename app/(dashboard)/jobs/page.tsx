import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { JobsPage } from "@/components/jobs/jobs-page";

export const metadata = { title: "Jobs" };

export default async function Page() {
  const user = await requirePermission("jobs.read");
  return (
    <Suspense>
      <JobsPage canRun={can(user.role, "jobs.run")} />
    </Suspense>
  );
}
