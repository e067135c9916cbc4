import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { PageHeader } from "@/components/layout/app-shell";
import { MeetingsPanel } from "@/components/meetings/meetings-panel";

export const metadata = { title: "Meetings" };

export default async function Page() {
  const user = await requirePermission("calendar.read");
  return (
    <>
      <PageHeader title="Meetings" description="Zoom meetings: create them (also recurring), share their join links, add them to a calendar, follow their recordings." />
      <MeetingsPanel canWrite={can(user.role, "calendar.write")} />
    </>
  );
}
