import { requirePermission } from "@/lib/auth/page";
import { ApiDocs } from "@/components/docs/api-docs";

export const metadata = { title: "API documentation" };

export default async function DocsPage() {
  await requirePermission("docs.read");
  return <ApiDocs />;
}
