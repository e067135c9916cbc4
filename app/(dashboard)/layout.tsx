import { requireUser } from "@/lib/auth/page";
import { AppShell } from "@/components/layout/app-shell";
import { NAV } from "@/lib/nav";
import { can } from "@/lib/auth/roles";
import { getSettings } from "@/lib/settings";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  const nav = NAV.filter((n) => can(user.role, n.permission));
  const { organization } = await getSettings();
  return (
    <AppShell user={{ name: user.name, email: user.email, role: user.role }} nav={nav} organization={organization.name}>
      {children}
    </AppShell>
  );
}
