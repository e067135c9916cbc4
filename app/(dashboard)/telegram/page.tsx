import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { TelegramPage } from "@/components/messages/telegram-page";

export const metadata = { title: "Telegram" };

export default async function Page() {
  const user = await requirePermission("telegram.link");
  return <TelegramPage canSimulate={can(user.role, "sandbox.read")} canAddIntegration={can(user.role, "integrations.write")} />;
}
