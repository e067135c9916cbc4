import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { CalendarPage } from "@/components/calendar/calendar-page";

export const metadata = { title: "Calendar" };

export default async function Page() {
  const user = await requirePermission("calendar.read");
  return (
    <Suspense>
      <CalendarPage canWrite={can(user.role, "calendar.write")} canManage={can(user.role, "integrations.write")} />
    </Suspense>
  );
}
