import { requirePermission } from "@/lib/auth/page";
import { UsersPage } from "@/components/users/users-page";

export const metadata = { title: "Users" };

export default async function Page() {
  const user = await requirePermission("users.manage");
  return <UsersPage selfId={user.id} />;
}
