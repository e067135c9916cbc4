"use client";
// Times in the browser's own locale and zone, without hydration mismatches. The server does
// not know the reader's zone or the moment the page is hydrated, so anything time-dependent
// (a relative time, toLocaleString) rendered on the server differs from the client's first
// render (React error #418). These render a fixed UTC form on the server and during hydration,
// then the browser's form right after: the same text on both sides, then the local one.
import * as React from "react";
import { formatDateTime, formatUtc, nextRunLabel, timeAgo } from "@/lib/format";

const noop = () => () => {};

/** false on the server and during hydration, true once the page runs in the browser. */
export function useHydrated() {
  return React.useSyncExternalStore(
    noop,
    () => true,
    () => false,
  );
}

/** A clock that ticks every `ms` in the browser (null on the server and during hydration). */
export function useNow(ms = 15_000): number | null {
  const hydrated = useHydrated();
  const [now, setNow] = React.useState<number | null>(null);
  React.useEffect(() => {
    if (!hydrated) return;
    setNow(Date.now());
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [hydrated, ms]);
  return hydrated ? (now ?? Date.now()) : null;
}

type Value = string | Date | null | undefined;
const iso = (v: Value) => (v ? (typeof v === "string" ? v : v.toISOString()) : undefined);

/** An absolute date and time in the reader's locale and zone. */
export function DateTime({ value, options, className, fallback = "—" }: { value: Value; options?: Intl.DateTimeFormatOptions; className?: string; fallback?: string }) {
  const hydrated = useHydrated();
  if (!value) return <>{fallback}</>;
  return (
    <time dateTime={iso(value)} className={className} title={hydrated ? undefined : formatUtc(value)}>
      {hydrated ? formatDateTime(value, options) : formatUtc(value)}
    </time>
  );
}

/** "5m ago" / "in 2h", kept current, with the absolute time as its tooltip. */
export function TimeAgo({ value, className, fallback = "never" }: { value: Value; className?: string; fallback?: string }) {
  const now = useNow();
  if (!value) return <>{fallback}</>;
  return (
    <time dateTime={iso(value)} className={className} title={now === null ? formatUtc(value) : formatDateTime(value)}>
      {now === null ? formatUtc(value) : timeAgo(value, now)}
    </time>
  );
}

/** When something scheduled runs next: "in 5m", or "due now" / "overdue by 2h" once the time has passed. */
export function NextRun({ value, className, fallback = "—" }: { value: Value; className?: string; fallback?: string }) {
  const now = useNow();
  if (!value) return <>{fallback}</>;
  return (
    <time dateTime={iso(value)} className={className} title={now === null ? formatUtc(value) : formatDateTime(value)}>
      {now === null ? formatUtc(value) : nextRunLabel(value, now)}
    </time>
  );
}
