import { Suspense } from "react";
import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { MessagesPage } from "@/components/messages/messages-page";

export const metadata = { title: "Messages" };

export default async function Page() {
  const user = await requirePermission("messages.read");
  return (
    <Suspense>
      <MessagesPage canSend={can(user.role, "messages.send")} />
    </Suspense>
  );
}
