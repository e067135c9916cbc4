import { requirePermission } from "@/lib/auth/page";
import { SettingsPage } from "@/components/settings/settings-page";

export const metadata = { title: "Settings" };

export default async function Page() {
  await requirePermission("settings.manage");
  return <SettingsPage />;
}
