"use client";
// "What the provider reported": the facts a test or sync learnt (the account, the balance, the
// bot), in words. The integration's state also holds the product's own bookkeeping (where a
// sync resumes, cursors, schedules, push subscriptions): that is not for people and is left out.
import * as React from "react";
import { DateTime } from "@/components/shared/time";

/** Keys the product keeps for itself: never shown. */
const INTERNAL = new Set(["calendarResume", "calendarSchedule", "erpCursors", "callLog", "subscription", "channel", "syncToken", "cursor", "cursors", "resume"]);

const LABELS: Record<string, string> = {
  account: "Account",
  calendarCount: "Calendars",
  calendarId: "Calendar synced",
  balance: "Balance",
  currency: "Currency",
  balanceAt: "Balance checked",
  livemode: "Live mode",
  bot: "Bot",
  webhook: "Webhook",
  app: "App",
  host: "Meeting host",
  checkedObjects: "Published objects",
  oauth: "Connection",
  connectedAt: "Connected",
  username: "Username",
  name: "Name",
  id: "ID",
  email: "E-mail",
  url: "URL",
};

/** "calendarCount" → "Calendar count" */
export function humanize(key: string) {
  if (LABELS[key]) return LABELS[key];
  const words = key
    .replace(/[_-]+/g, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function present(v: unknown): boolean {
  if (v === null || v === undefined || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === "object") return Object.entries(v as object).some(([k, x]) => !INTERNAL.has(k) && present(x));
  return true;
}

function Value({ v }: { v: unknown }): React.ReactNode {
  if (typeof v === "boolean") return v ? "Yes" : "No";
  if (typeof v === "number") return v.toLocaleString("en");
  if (typeof v === "string") return ISO.test(v) ? <DateTime value={v} /> : v;
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x !== "object" || x === null)) return v.filter(present).map(String).join(", ");
    return (
      <ul className="grid gap-1">
        {v.filter(present).map((x, n) => (
          <li key={n}>
            <Value v={x} />
          </li>
        ))}
      </ul>
    );
  }
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([k, x]) => !INTERNAL.has(k) && present(x));
    return (
      <span className="grid gap-0.5">
        {entries.map(([k, x]) => (
          <span key={k} className="flex min-w-0 gap-2">
            <span className="text-muted-foreground shrink-0">{humanize(k)}:</span>
            <span className="min-w-0 break-words">
              <Value v={x} />
            </span>
          </span>
        ))}
      </span>
    );
  }
  return String(v);
}

export function StateView({ state }: { state: Record<string, unknown> | null | undefined }) {
  const entries = Object.entries(state ?? {}).filter(([k, v]) => !INTERNAL.has(k) && present(v));
  if (!entries.length) return <p className="text-muted-foreground text-sm">Nothing reported yet: run a test.</p>;
  return (
    <dl data-testid="provider-state">
      {entries.map(([k, v]) => (
        <div key={k} className="grid grid-cols-3 gap-2 py-1.5 text-sm">
          <dt className="text-muted-foreground">{humanize(k)}</dt>
          <dd className="col-span-2 min-w-0 break-words">
            <Value v={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
