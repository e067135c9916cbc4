"use client";
// What the 1C sync screens share: the shapes /api/v1/erp returns (camelCase, like the API),
// the status words and colours of a link, JSON shown for people.
import { Badge } from "@/components/ui/badge";
import { ENTITY_LABELS, ENTITY_TYPES, type EntityType } from "@/lib/providers/onec/mapping";

export { ENTITY_TYPES, type EntityType };
export const ENTITY_LABEL = ENTITY_LABELS;

export function EntityTypeOptions() {
  return ENTITY_TYPES.map((t) => (
    <option key={t} value={t}>
      {ENTITY_LABEL[t]}
    </option>
  ));
}

export const LINK_STATUSES = ["synced", "failed", "pending"] as const;
export type LinkStatus = (typeof LINK_STATUSES)[number];

export const LINK_STATUS_STYLE: Record<LinkStatus, { label: string; badge: "success" | "danger" | "muted"; color: string }> = {
  synced: { label: "Synced", badge: "success", color: "var(--chart-1)" },
  failed: { label: "Failed", badge: "danger", color: "var(--chart-2)" },
  pending: { label: "Pending", badge: "muted", color: "var(--chart-5)" },
};

export function LinkStatusBadge({ status }: { status: string }) {
  const s = LINK_STATUS_STYLE[status as LinkStatus];
  return s ? <Badge variant={s.badge}>{s.label}</Badge> : <Badge variant="outline">Not synced</Badge>;
}

export type ErpLink = {
  id: string;
  integrationId: string;
  integrationName?: string;
  entityType: EntityType;
  entityId: string;
  entityLabel?: string | null;
  object: string;
  refKey: string | null;
  status: LinkStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastSyncedAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export type ErpLog = {
  id: string;
  operation: string;
  ok: boolean;
  httpStatus: number | null;
  request: { method?: string; url?: string; body?: unknown } | null;
  response: { status?: number | null; body?: unknown } | null;
  error: string | null;
  durationMs: number;
  createdAt: string;
};

export type LinkList = { items: ErpLink[]; nextCursor: string | null; counts: Record<LinkStatus, number> };
export type LinkDetail = ErpLink & { logs: ErpLog[] };

export type SyncResult = {
  ok: boolean;
  operation: "create" | "update" | "recreate" | "delete" | "unchanged" | "skipped";
  message: string;
  entityType: EntityType;
  entityId: string;
  status: string;
  refKey: string | null;
  object: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  link: ErpLink | null;
  dependencies: { entityType: EntityType; entityId: string; operation: string; ok: boolean; refKey: string | null }[];
};

export type MappingView = {
  integrations: { id: string; name: string; code: string; mode: "live" | "sandbox"; status: string; autoSync: boolean; syncIntervalMinutes: number | null; lastSyncAt: string | null }[];
  integrationId: string | null;
  configValid: boolean;
  timeZone: string;
  entities: {
    entityType: EntityType;
    label: string;
    enabled: boolean;
    object: string;
    post: boolean;
    match: string[];
    statuses: string[] | null;
    customized: boolean;
    refs: EntityType[];
    fields: { attribute: string; kind: "source" | "const" | "ref"; source: string }[];
    sourceFields: { path: string; label: string; kind: string }[];
  }[];
};

export type Found = { id: string; label: string; detail: string | null };

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
