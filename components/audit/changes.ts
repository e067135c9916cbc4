// An audit entry's `changes` as rows a person can read: { field: { from, to } } becomes
// before → after, nested objects (credentials: { botToken: "[changed]" }) become dotted field
// names, secret markers stay markers (the values never reach the audit trail), and the facts
// an action records (user.invite's email and role) are plain values.

export type ChangeRow =
  | { path: string; kind: "change"; from: unknown; to: unknown; reset: boolean }
  | { path: string; kind: "secret"; note: string }
  | { path: string; kind: "value"; value: unknown };

/** How lib/audit and its callers write a secret that changed (never its value). */
const SECRET_MARKERS: Record<string, string> = {
  "[changed]": "changed",
  "[set]": "set",
  "[removed]": "removed",
  "[REDACTED]": "changed",
};

export function secretNote(v: unknown): string | null {
  return typeof v === "string" && v in SECRET_MARKERS ? SECRET_MARKERS[v] : null;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}

function isFromTo(v: unknown): v is { from: unknown; to: unknown; default?: boolean } {
  return isPlainObject(v) && "from" in v && "to" in v && Object.keys(v).every((k) => k === "from" || k === "to" || k === "default");
}

export function changeRows(changes: unknown, prefix = "", depth = 0): ChangeRow[] {
  if (changes === null || changes === undefined) return [];
  if (!isPlainObject(changes)) return [{ path: prefix || "value", kind: "value", value: changes }];
  const rows: ChangeRow[] = [];
  for (const [k, v] of Object.entries(changes)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const note = secretNote(v);
    if (note) rows.push({ path, kind: "secret", note });
    else if (isFromTo(v)) rows.push({ path, kind: "change", from: v.from, to: v.to, reset: v.default === true });
    else if (isPlainObject(v) && Object.keys(v).length && depth < 3) rows.push(...changeRows(v, path, depth + 1));
    else rows.push({ path, kind: "value", value: v });
  }
  return rows;
}

/** A value in a cell: secrets as their marker, empties spelled out, objects as compact JSON. */
export function formatValue(v: unknown): string {
  const note = secretNote(v);
  if (note) return note;
  if (v === null || v === undefined) return "—";
  if (v === "") return "(empty)";
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "string" || typeof v === "number") return String(v);
  return JSON.stringify(v);
}

/** One line for the table: the first change or two. */
export function summarize(changes: unknown): string {
  const rows = changeRows(changes);
  const shown = rows.slice(0, 2).map((r) =>
    r.kind === "change" ? `${r.path}: ${formatValue(r.from)} → ${formatValue(r.to)}` : r.kind === "secret" ? `${r.path} ${r.note}` : `${r.path}: ${formatValue(r.value)}`,
  );
  const more = rows.length - shown.length;
  return shown.join(" · ") + (more > 0 ? ` · +${more} more` : "");
}

/** Where an entity's own page is, for the types that have one. */
export function entityHref(type: string, id: string | null): string | null {
  const e = id ? encodeURIComponent(id) : null;
  switch (type) {
    case "integration":
      return e ? `/integrations/${e}` : "/integrations";
    case "user":
      return "/users";
    case "api_key":
      return "/api-keys";
    case "payment":
      return e ? `/payments/${e}` : "/payments";
    case "export":
      return "/exports";
    case "webhook_event":
      return e ? `/webhooks?event=${e}` : "/webhooks";
    case "message":
      return e ? `/messages?message=${e}` : "/messages";
    case "message_batch":
      return e ? `/messages?batchId=${e}` : "/messages";
    case "message_template":
      return e ? `/messages/templates?template=${e}` : "/messages/templates";
    case "sync_job":
      return "/jobs";
    case "settings":
      return "/settings";
    case "alert":
      return "/alerts";
    case "calendar_event":
      return "/calendar";
    case "meeting":
      return "/meetings";
    case "call":
      return "/calls";
    case "contact_submission":
    case "suitedash_export":
      return "/contacts";
    default:
      return null;
  }
}

/** The entity types the audit trail records, for the filter menu. */
export const ENTITY_TYPES = [
  "integration", "user", "api_key", "payment", "export", "suitedash_export", "webhook_event", "settings", "alert",
  "sync_job", "message", "message_batch", "message_template", "calendar_event", "meeting", "call", "contact_submission",
] as const;

export const ENTITY_LABELS: Record<string, string> = {
  integration: "Integration",
  user: "User",
  api_key: "API key",
  payment: "Payment",
  export: "Export",
  suitedash_export: "SuiteDash export",
  webhook_event: "Webhook event",
  settings: "Settings",
  alert: "Alert",
  sync_job: "Sync job",
  message: "Message",
  message_batch: "Bulk send",
  message_template: "Message template",
  calendar_event: "Calendar event",
  meeting: "Meeting",
  call: "Call",
  contact_submission: "Contact submission",
};
