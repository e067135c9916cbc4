import { requirePermission } from "@/lib/auth/page";
import { Overview } from "@/components/overview/overview";

export const metadata = { title: "Overview" };

export default async function OverviewPage() {
  const user = await requirePermission("overview.read");
  return <Overview name={user.name} />;
}
