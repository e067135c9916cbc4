import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { CallsPage } from "@/components/calls/calls-page";

export const metadata = { title: "Calls" };

export default async function Page() {
  const user = await requirePermission("calls.read");
  return (
    <Suspense>
      <CallsPage canCall={can(user.role, "calls.make")} />
    </Suspense>
  );
}
