import { requirePermission } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { env } from "@/lib/env";
import { getSettings } from "@/lib/settings";
import { exportTypeInfo, SOURCES } from "@/lib/exports/sources";
import { ExportsPage } from "@/components/exports/exports-page";

export const metadata = { title: "Exports" };

export default async function Page() {
  const user = await requirePermission("exports.read");
  return (
    <ExportsPage
      // only the types whose data this role may read (the API refuses the others)
      types={exportTypeInfo().filter((t) => can(user.role, SOURCES[t.id].read.permission))}
      canCreate={can(user.role, "exports.create")}
      inlineRows={env().EXPORT_INLINE_ROWS}
      maxRows={env().EXPORT_MAX_ROWS}
      ttlHours={(await getSettings()).retention.exportTtlHours}
      delimiter={env().EXPORT_CSV_DELIMITER}
    />
  );
}
