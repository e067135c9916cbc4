"use client";
// A record's timeline (a payment, a subscription, a message): a vertical line of entries, each
// with a coloured dot, a title (red when something went wrong), badges and its time, then lines
// of detail under it. What an entry says is the screen's own; the frame is this one.
import * as React from "react";
import { formatDateTime } from "@/lib/format";

/** entries in the order things happened (equal times keep the order they came in) */
export function inOrder<T extends { at: string }>(entries: T[]): T[] {
  return [...entries].map((h, i) => ({ h, i })).sort((a, b) => a.h.at.localeCompare(b.h.at) || a.i - b.i).map((x) => x.h);
}

export function TimelineList({ label, empty, children }: { label: string; empty: boolean; children: React.ReactNode }) {
  if (empty) return <p className="text-muted-foreground text-sm">Nothing happened yet.</p>;
  return (
    <ol className="border-border ml-2 grid gap-3 border-l pl-4" aria-label={label}>
      {children}
    </ol>
  );
}

/** one entry: the dot in `color` (else red when `bad`, else muted), the title line (title, `badges`, time) and `children` under it */
export function TimelineEntry({
  color,
  bad,
  title,
  at,
  badges,
  children,
}: {
  color: string | null | undefined;
  bad: boolean;
  title: React.ReactNode;
  at: string;
  badges?: React.ReactNode;
  children?: React.ReactNode;
}) {
  return (
    <li className="relative text-sm">
      <span
        aria-hidden
        className="border-background absolute top-1 -left-[22px] size-3 rounded-full border-2"
        style={{ background: color ? color : bad ? "var(--destructive)" : "var(--muted-foreground)" }}
      />
      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
        <span className={bad ? "text-destructive font-medium" : "font-medium"}>{title}</span>
        {badges}
        <span className="text-muted-foreground text-xs">{formatDateTime(at)}</span>
      </div>
      {children}
    </li>
  );
}
