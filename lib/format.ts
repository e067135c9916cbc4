// Display helpers shared by server and client components.
export function formatDateTime(value: string | Date | null | undefined, opts: Intl.DateTimeFormatOptions = {}) {
  if (!value) return "—";
  const d = typeof value === "string" ? new Date(value) : value;
  return d.toLocaleString(undefined, { year: "numeric", month: "short", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", ...opts });
}

export function timeAgo(value: string | Date | null | undefined, now = Date.now()) {
  if (!value) return "never";
  const d = typeof value === "string" ? new Date(value) : value;
  const s = Math.round((now - d.getTime()) / 1000);
  const future = s < 0;
  const a = Math.abs(s);
  const unit =
    a < 60 ? `${a}s` : a < 3600 ? `${Math.floor(a / 60)}m` : a < 86400 ? `${Math.floor(a / 3600)}h` : `${Math.floor(a / 86400)}d`;
  return future ? `in ${unit}` : `${unit} ago`;
}

/**
 * A scheduled time ("Next sync"): "in 5m" while ahead; once passed it is not "next" any more:
 * "due now" for the first minute (the scheduler picks it up), then "overdue by 2h".
 */
export function nextRunLabel(value: string | Date, now = Date.now()) {
  const d = typeof value === "string" ? new Date(value) : value;
  const late = now - d.getTime();
  if (late < 0) return timeAgo(d, now);
  if (late < 60_000) return "due now";
  return `overdue by ${timeAgo(d, now).replace(/ ago$/, "")}`;
}

/** A fixed form, the same in every zone and locale: what the server renders before the browser's own. */
export function formatUtc(value: string | Date) {
  const d = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return "—";
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function formatDuration(ms: number | null | undefined) {
  if (ms == null) return "—";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** datetime-local inputs (local time, no zone) <-> ISO strings */
export function toLocalInput(iso?: string) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export function fromLocalInput(v: string) {
  return v ? new Date(v).toISOString() : "";
}
