"use client";
// What the 1C sync screens share: the status words and colours of a link, JSON shown for people.
// The shapes /api/v1/erp returns are in lib/erp/contract.ts.
import { Badge } from "@/components/ui/badge";
import { ENTITY_LABELS, ENTITY_TYPES, type EntityType } from "@/lib/providers/onec/mapping";
import type { LinkStatus } from "@/lib/erp/contract";

export { ENTITY_TYPES, type EntityType };
export const ENTITY_LABEL = ENTITY_LABELS;

export function EntityTypeOptions() {
  return ENTITY_TYPES.map((t) => (
    <option key={t} value={t}>
      {ENTITY_LABEL[t]}
    </option>
  ));
}

/** the order the page shows them in */
export const LINK_STATUSES = ["synced", "failed", "pending"] as const satisfies readonly LinkStatus[];

export const LINK_STATUS_STYLE: Record<LinkStatus, { label: string; badge: "success" | "danger" | "muted"; color: string }> = {
  synced: { label: "Synced", badge: "success", color: "var(--chart-1)" },
  failed: { label: "Failed", badge: "danger", color: "var(--chart-2)" },
  pending: { label: "Pending", badge: "muted", color: "var(--chart-5)" },
};

export function LinkStatusBadge({ status }: { status: string }) {
  const s = LINK_STATUS_STYLE[status as LinkStatus];
  return s ? <Badge variant={s.badge}>{s.label}</Badge> : <Badge variant="outline">Not synced</Badge>;
}

export const OPERATION_LABEL: Record<string, string> = {
  create: "Created in 1C",
  update: "Updated in 1C",
  recreate: "Created again in 1C",
  delete: "Marked for deletion in 1C",
  unchanged: "Unchanged",
  skipped: "Not sent",
  find: "Search",
  check: "Object check",
  post: "Posted",
};

export function Json({ value, label }: { value: unknown; label: string }) {
  return (
    <pre className="bg-muted max-h-72 overflow-auto rounded p-2 text-xs break-all whitespace-pre-wrap" aria-label={label}>
      {value === undefined || value === null ? "—" : typeof value === "string" ? value : JSON.stringify(value, null, 2)}
    </pre>
  );
}
