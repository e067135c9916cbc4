"use client";
// The overview's charts: provider calls over time, messages by channel and status, payments by
// currency, webhooks and sync jobs by status, API requests by key. Every number links to the
// list it counts, filtered the same way (lib/overview/links.ts).
import * as React from "react";
import Link from "next/link";
import type { UseQueryResult } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Cell, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Badge } from "@/components/ui/badge";
import { ChartCard, CountLink, StatusLinks, type StatusCount } from "@/components/overview/chart-card";
import { CHANNEL_META, MESSAGE_STATUSES, STATUS_STYLE as MESSAGE_STYLE, type Channel } from "@/components/messages/shared";
import { PAYMENT_STATUS_STYLE, money } from "@/components/payments/shared";
import { overviewLinks } from "@/lib/overview/links";
import { PERIODS, type Period } from "@/lib/overview/period";
import type { ApiUsageOverview, CallsOverview, JobsOverview, MessagesOverview, PaymentsOverview, WebhooksOverview } from "@/lib/overview/queries";

const TICK = { fontSize: 12 };

function periodText(period: Period) {
  return `Last ${PERIODS[period].label}`;
}

// ───────────── provider calls ─────────────

function bucketLabel(iso: string, bucketMinutes: number) {
  const d = new Date(iso);
  if (bucketMinutes <= 60) return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  if (bucketMinutes < 1440) return d.toLocaleString(undefined, { weekday: "short", hour: "2-digit", minute: "2-digit" });
  return d.toLocaleDateString(undefined, { month: "short", day: "numeric" });
}

export function CallsCard({ query, period }: { query: UseQueryResult<CallsOverview>; period: Period }) {
  const total = (d: CallsOverview) => d.calls.reduce((s, c) => s + c.success + c.error, 0);
  return (
    <ChartCard
      title="Provider calls"
      description={`${periodText(period)}, succeeded and failed`}
      query={query}
      action={query.data ? { href: overviewLinks.logs(query.data.from), label: "Logs" } : null}
      isEmpty={(d) => total(d) === 0}
      empty={`No provider calls in the last ${PERIODS[period].label}.`}
    >
      {(d) => {
        const failed = d.calls.reduce((s, c) => s + c.error, 0);
        const data = d.calls.map((c) => ({ ...c, label: bucketLabel(c.hour, d.bucketMinutes) }));
        return (
          <>
            <div className="h-52" role="img" aria-label={`${total(d)} calls in the last ${PERIODS[period].label}, ${failed} failed`}>
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={data}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} className="stroke-border" />
                  <XAxis dataKey="label" tickLine={false} {...TICK} interval="preserveStartEnd" />
                  <YAxis allowDecimals={false} tickLine={false} {...TICK} width={36} />
                  <Tooltip />
                  <Legend />
                  <Bar dataKey="success" name="Succeeded" stackId="a" fill="var(--chart-1)" />
                  <Bar dataKey="error" name="Failed" stackId="a" fill="var(--chart-2)" />
                </BarChart>
              </ResponsiveContainer>
            </div>
            <p className="text-sm">
              <CountLink n={total(d)} href={overviewLinks.logs(d.from)} label={`${total(d)} provider calls`} /> calls,{" "}
              <CountLink n={failed} href={overviewLinks.logs(d.from, { status: "error" })} label={`${failed} failed provider calls`} /> failed
            </p>
          </>
        );
      }}
    </ChartCard>
  );
}

// ───────────── messages ─────────────

export function MessagesCard({ query, period }: { query: UseQueryResult<MessagesOverview>; period: Period }) {
  return (
    <ChartCard
      title="Messages by channel and status"
      description={periodText(period)}
      query={query}
      action={query.data ? { href: overviewLinks.messages(query.data.from), label: "Messages" } : null}
      isEmpty={(d) => d.total === 0}
      empty="No messages in this period."
    >
      {(d) => {
        const label = (c: string) => CHANNEL_META[c as Channel]?.label ?? c;
        const data = d.channels.map((c) => ({ channel: label(c.channel), ...c.byStatus }));
        const summary = d.channels.map((c) => `${label(c.channel)} ${c.total} (${c.byStatus.failed} failed)`).join(", ");
        return (
          <>
            <div className="h-52" role="img" aria-label={`${d.total} messages by channel: ${summary}`}>
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={data}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} className="stroke-border" />
                  <XAxis dataKey="channel" tickLine={false} {...TICK} />
                  <YAxis allowDecimals={false} tickLine={false} {...TICK} width={36} />
                  <Tooltip />
                  <Legend />
                  {MESSAGE_STATUSES.map((s) => (
                    <Bar key={s} dataKey={s} name={MESSAGE_STYLE[s].label} stackId="a" fill={MESSAGE_STYLE[s].color} />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </div>
            <Table aria-label="Messages by channel and status" className="text-xs">
              <TableHeader>
                <TableRow>
                  <TableHead>Channel</TableHead>
                  {MESSAGE_STATUSES.map((s) => (
                    <TableHead key={s} className="text-right">
                      {MESSAGE_STYLE[s].label}
                    </TableHead>
                  ))}
                </TableRow>
              </TableHeader>
              <TableBody>
                {d.channels.map((c) => (
                  <TableRow key={c.channel}>
                    <TableCell>
                      <TextLink href={overviewLinks.messages(d.from, { channel: c.channel })}>{label(c.channel)}</TextLink>
                      <span className="text-muted-foreground ml-1 tabular-nums">{c.total}</span>
                    </TableCell>
                    {MESSAGE_STATUSES.map((s) => (
                      <TableCell key={s} className="text-right">
                        <CountLink n={c.byStatus[s]} href={overviewLinks.messages(d.from, { channel: c.channel, status: s })} label={`${c.byStatus[s]} ${MESSAGE_STYLE[s].label.toLowerCase()} ${label(c.channel)}`} />
                      </TableCell>
                    ))}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </>
        );
      }}
    </ChartCard>
  );
}

function TextLink({ href, label, children }: { href: string; label?: string; children: React.ReactNode }) {
  return (
    <Link href={href} aria-label={label} className="text-primary font-medium underline-offset-4 hover:underline">
      {children}
    </Link>
  );
}

// ───────────── payments ─────────────

/** "40002201.49" RUB → "RUB 40,002,201.49" in the reader's locale, exactly (the decimal string, not a float). */
function formatAmount(decimal: string, minor: number, currency: string) {
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency, currencyDisplay: "code" }).format(decimal as unknown as number);
  } catch {
    return money(minor, currency);
  }
}

export function PaymentsCard({ query, period }: { query: UseQueryResult<PaymentsOverview>; period: Period }) {
  return (
    <ChartCard
      title="Payments volume by currency"
      description={`${periodText(period)} · succeeded payments, each currency on its own`}
      query={query}
      action={query.data ? { href: overviewLinks.payments(query.data.from), label: "Payments" } : null}
      isEmpty={(d) => d.total === 0}
      empty="No payments in this period."
    >
      {(d) => (
        <>
          <ul className="grid gap-3" aria-label="Succeeded volume by currency">
            {d.currencies.map((c) => {
              const amount = formatAmount(c.succeeded, c.succeededMinor, c.currency);
              const shares = (["succeeded", "failed"] as const).map((s) => ({ s, n: c.byStatus[s] }));
              const other = c.count - shares.reduce((a, x) => a + x.n, 0);
              return (
                <li key={c.currency} className="grid gap-1.5" data-testid={`volume-${c.currency}`}>
                  <div className="flex flex-wrap items-baseline justify-between gap-2">
                    <TextLink href={overviewLinks.payments(d.from, { currency: c.currency, status: "succeeded" })} label={`${amount} succeeded`}>
                      <span className="text-lg tabular-nums">{amount}</span>
                    </TextLink>
                    <span className="text-muted-foreground text-sm">
                      {c.succeededCount} of {c.count} succeeded
                      {c.byStatus.failed > 0 && (
                        <>
                          {" · "}
                          <CountLink n={c.byStatus.failed} href={overviewLinks.payments(d.from, { currency: c.currency, status: "failed" })} label={`${c.byStatus.failed} failed ${c.currency} payments`} /> failed
                        </>
                      )}
                    </span>
                  </div>
                  <div className="bg-muted flex h-2 overflow-hidden rounded-full" aria-hidden>
                    {[...shares, { s: "pending" as const, n: other }].map((x) =>
                      x.n ? <div key={x.s} style={{ width: `${(x.n / c.count) * 100}%`, background: PAYMENT_STATUS_STYLE[x.s].color }} /> : null,
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
          <StatusLinks
            label="Payments by status"
            items={(["succeeded", "pending", "failed", "refunded"] as const).map((s) => ({
              key: s,
              label: PAYMENT_STATUS_STYLE[s].label,
              color: PAYMENT_STATUS_STYLE[s].color,
              n: d.byStatus[s],
              href: overviewLinks.payments(d.from, { status: s }),
            }))}
          />
        </>
      )}
    </ChartCard>
  );
}

// ───────────── webhooks and jobs: counts by status ─────────────

function StatusBarChart({ items, label }: { items: StatusCount[]; label: string }) {
  return (
    <div className="h-36" role="img" aria-label={`${label}: ${items.map((i) => `${i.n} ${i.label.toLowerCase()}`).join(", ")}`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={items}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} className="stroke-border" />
          <XAxis dataKey="label" tickLine={false} {...TICK} />
          <YAxis allowDecimals={false} tickLine={false} {...TICK} width={36} />
          <Tooltip />
          <Bar dataKey="n" name="Count">
            {items.map((i) => (
              <Cell key={i.key} fill={i.color} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

const WEBHOOK_STYLE: Record<keyof WebhooksOverview["byStatus"], { label: string; color: string }> = {
  pending: { label: "Pending", color: "var(--chart-3)" },
  processing: { label: "Processing", color: "var(--chart-4)" },
  completed: { label: "Completed", color: "var(--chart-1)" },
  failed: { label: "Failed", color: "var(--chart-2)" },
  ignored: { label: "Ignored", color: "var(--chart-5)" },
  rejected: { label: "Rejected", color: "oklch(0.45 0.12 20)" },
};

const JOB_STYLE: Record<keyof JobsOverview["byStatus"], { label: string; color: string }> = {
  completed: { label: "Completed", color: "var(--chart-1)" },
  failed: { label: "Failed", color: "var(--chart-2)" },
  canceled: { label: "Canceled", color: "var(--chart-5)" },
  running: { label: "Running", color: "var(--chart-4)" },
  queued: { label: "Queued", color: "var(--chart-3)" },
};

/** Counts by status: a bar per status and a chip per status that opens the list filtered by it. */
function StatusCard<S extends string, T extends { from: string; total: number; byStatus: Record<S, number> }>({
  title, period, query, styles, href, what, list, children,
}: {
  title: string;
  /** the list page's name, for the card's link: "Webhooks" */
  list: string;
  period: Period;
  query: UseQueryResult<T>;
  styles: Record<S, { label: string; color: string }>;
  href: (from: string, status?: S) => string;
  /** "webhook events", "sync jobs" */
  what: string;
  children?: (data: T) => React.ReactNode;
}) {
  const listName = what.charAt(0).toUpperCase() + what.slice(1);
  return (
    <ChartCard title={title} description={periodText(period)} query={query} action={query.data ? { href: href(query.data.from), label: list } : null}>
      {(d) => {
        const items = (Object.keys(styles) as S[]).map((s) => ({ key: s, ...styles[s], n: d.byStatus[s], href: href(d.from, s) }));
        return (
          <>
            {d.total ? <StatusBarChart items={items} label={`${d.total} ${what}`} /> : <p className="text-muted-foreground text-sm">No {what} in this period.</p>}
            {d.total > 0 && children?.(d)}
            <StatusLinks label={`${listName} by status`} items={items} />
          </>
        );
      }}
    </ChartCard>
  );
}

export function WebhooksCard({ query, period }: { query: UseQueryResult<WebhooksOverview>; period: Period }) {
  return <StatusCard title="Webhooks by status" period={period} query={query} styles={WEBHOOK_STYLE} what="webhook events" list="Webhooks" href={(from, status) => overviewLinks.webhooks(from, { status })} />;
}

export function JobsCard({ query, period }: { query: UseQueryResult<JobsOverview>; period: Period }) {
  return (
    <StatusCard title="Sync job outcomes" period={period} query={query} styles={JOB_STYLE} what="sync jobs" list="Jobs" href={(_from, status) => overviewLinks.jobs({ status })}>
      {(d) => (
        <p className="text-muted-foreground text-sm">
          {d.itemsProcessed.toLocaleString()} records processed, {d.itemsFailed.toLocaleString()} failed
        </p>
      )}
    </StatusCard>
  );
}

// ───────────── API usage ─────────────

const TOP_KEYS = 8;

export function ApiUsageCard({ query, period, canManageKeys }: { query: UseQueryResult<ApiUsageOverview>; period: Period; canManageKeys: boolean }) {
  return (
    <ChartCard
      title="API requests and errors by key"
      description={`${periodText(period)} · errors are answers with status 400 or above`}
      query={query}
      action={canManageKeys ? { href: overviewLinks.apiKeys(), label: "API keys" } : null}
      isEmpty={(d) => d.requests === 0}
      empty="No API-key requests in this period."
    >
      {(d) => {
        const top = d.keys.slice(0, TOP_KEYS).map((k) => ({ ...k, ok: k.requests - k.errors }));
        return (
          <>
            <div
              style={{ height: Math.max(96, top.length * 36 + 40) }}
              role="img"
              aria-label={`${d.requests} API requests, ${d.errors} errors: ${top.map((k) => `${k.name} ${k.requests} (${k.errors} errors)`).join(", ")}`}
            >
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={top} layout="vertical" margin={{ left: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" horizontal={false} className="stroke-border" />
                  <XAxis type="number" allowDecimals={false} tickLine={false} {...TICK} />
                  <YAxis type="category" dataKey="name" tickLine={false} {...TICK} width={110} />
                  <Tooltip />
                  <Legend />
                  <Bar dataKey="ok" name="Succeeded" stackId="a" fill="var(--chart-1)" />
                  <Bar dataKey="errors" name="Errors" stackId="a" fill="var(--chart-2)" />
                </BarChart>
              </ResponsiveContainer>
            </div>
            <Table aria-label="API requests by key" className="text-xs">
              <TableHeader>
                <TableRow>
                  <TableHead>Key</TableHead>
                  <TableHead className="text-right">Requests</TableHead>
                  <TableHead className="text-right">Errors</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {d.keys.map((k) => (
                  <TableRow key={k.apiKeyId}>
                    <TableCell className="max-w-48 truncate">
                      {k.name}
                      {(k.revoked || k.deleted) && (
                        <Badge variant="muted" className="ml-1">
                          {k.deleted ? "deleted" : "revoked"}
                        </Badge>
                      )}
                    </TableCell>
                    <TableCell className="text-right tabular-nums">{k.requests.toLocaleString()}</TableCell>
                    <TableCell className={k.errors ? "text-destructive text-right tabular-nums" : "text-right tabular-nums"}>
                      {k.errors.toLocaleString()} {k.requests ? `(${Math.round((k.errors / k.requests) * 100)}%)` : ""}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </>
        );
      }}
    </ChartCard>
  );
}
