"use client";
// Messages: counts by status (each a filter), a chart by channel, the list with filters kept
// in the URL and keyset "Load older", bulk sends with their progress, a drawer per message,
// and "Send test message" for those who may send. Everything refreshes every few seconds
// while something is on its way.
import * as React from "react";
import Link from "next/link";
import { useInfiniteQuery, useQuery, type UseQueryResult } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Inbox, LayoutTemplate, MessageSquare, Send } from "lucide-react";
import { api } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Badge } from "@/components/ui/badge";
import { Progress } from "@/components/ui/progress";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { IntegrationSelect, DateTimeFilter, useIntegrations, ClearFiltersButton, RefreshingSpinner, FILTER_BAR } from "@/components/shared/filter-fields";
import { useUrlFilters, useDebouncedFilter } from "@/components/shared/url-filters";
import { PagedResults } from "@/components/shared/paged-results";
import { formatDateTime } from "@/lib/format";
import { MessageDrawer } from "@/components/messages/message-drawer";
import { SendTestDialog } from "@/components/messages/send-dialog";
import { CHANNELS, CHANNEL_META, STATUS_STYLE, ChannelIcon, MessageStatusBadge, channelLabel } from "@/components/messages/shared";
import { MESSAGE_STATUSES, type Batch, type MessageItem, type MessageStats as Stats } from "@/lib/messaging/contract";
import { SandboxBadge } from "@/components/integrations/status";

const FILTERS = ["channel", "status", "provider", "integrationId", "to", "from", "until", "batchId"] as const;
const LIVE_MS = 2000;
const IDLE_MS = 30_000;

/** Something still on its way: queued, or sent recently (delivery reports may follow). */
function onItsWay(m: Pick<MessageItem, "status" | "createdAt">) {
  return m.status === "queued" || (m.status === "sent" && Date.now() - new Date(m.createdAt).getTime() < 15 * 60_000);
}

export function MessagesPage({ canSend }: { canSend: boolean }) {
  const { filters, params, set: setParam, clear } = useUrlFilters("/messages", FILTERS);
  const [to, setTo] = useDebouncedFilter(filters.to, (v) => setParam("to", v));
  const open = params.get("message");
  const [sending, setSending] = React.useState(false);

  const integrations = useIntegrations();
  const providers = [...new Set((integrations.data?.items ?? []).filter((i) => i.channels?.length).map((i) => i.provider))].sort();

  const list = useInfiniteQuery({
    queryKey: ["messages", "list", filters],
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      api<{ items: MessageItem[]; nextCursor: string | null }>(`/api/v1/messages?${new URLSearchParams({ ...filters, limit: "50", ...(pageParam ? { cursor: pageParam } : {}) })}`),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some(onItsWay)) ? LIVE_MS : IDLE_MS),
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const live = items.some(onItsWay);

  const { status: _omit, ...statFilters } = filters;
  const stats = useQuery({
    queryKey: ["messages", "stats", statFilters],
    queryFn: () => api<Stats>(`/api/v1/messages/stats?${new URLSearchParams(statFilters)}`),
    refetchInterval: live ? LIVE_MS : IDLE_MS,
  });
  const active = Object.keys(filters).length > 0;

  // the counts follow the list: when a status in it changes, ask for them again at once
  const statuses = items.map((m) => m.status).join();
  const refetchStats = stats.refetch;
  React.useEffect(() => {
    if (statuses) void refetchStats();
  }, [statuses, refetchStats]);

  return (
    <>
      <PageHeader
        title="Messages"
        description="Every SMS, WhatsApp, e-mail, Telegram and push message: queued in the outbox, sent through the channel's integrations in priority order, followed to delivery."
        actions={
          <>
            <Button variant="outline" asChild>
              <Link href="/messages/templates">
                <LayoutTemplate /> Templates
              </Link>
            </Button>
            <Button variant="outline" asChild>
              <Link href="/sandbox">
                <Inbox /> Sandbox inbox
              </Link>
            </Button>
            {canSend && (
              <Button onClick={() => setSending(true)}>
                <Send /> Send test message
              </Button>
            )}
          </>
        }
      />

      <div className="mb-4 flex flex-wrap gap-2" role="group" aria-label="Messages by status">
        {MESSAGE_STATUSES.map((s) => {
          const selected = filters.status === s;
          return (
            <Button key={s} variant={selected ? "default" : "outline"} size="sm" aria-pressed={selected} onClick={() => setParam("status", selected ? null : s)}>
              <span className="inline-block size-2 rounded-full" style={{ background: STATUS_STYLE[s].color }} aria-hidden />
              {STATUS_STYLE[s].label}
              <span className="tabular-nums" data-testid={`count-${s}`}>
                {stats.data ? stats.data.byStatus[s] : "…"}
              </span>
            </Button>
          );
        })}
      </div>

      <div className="mb-4 grid gap-4 lg:grid-cols-[3fr_2fr]">
        <Card>
          <CardHeader>
            <CardTitle className="text-base">By channel</CardTitle>
            <CardDescription>
              {stats.data ? `${formatDateTime(stats.data.from, { second: undefined })} – ${formatDateTime(stats.data.until, { second: undefined })}` : "Last 7 days"}
            </CardDescription>
          </CardHeader>
          <CardContent>
            <ChannelChart stats={stats} />
          </CardContent>
        </Card>
        <BatchesCard onShow={(id) => setParam("batchId", id)} />
      </div>

      <form className={FILTER_BAR} onSubmit={(e) => e.preventDefault()} aria-label="Message filters">
        <div className="grid gap-1.5">
          <Label htmlFor="m-channel">Channel</Label>
          <NativeSelect id="m-channel" value={filters.channel ?? ""} onChange={(e) => setParam("channel", e.target.value || null)}>
            <option value="">All</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {CHANNEL_META[c].label}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="m-provider">Provider</Label>
          <NativeSelect id="m-provider" value={filters.provider ?? ""} onChange={(e) => setParam("provider", e.target.value || null)}>
            <option value="">All</option>
            {providers.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </NativeSelect>
        </div>
        <IntegrationSelect id="m-integration" value={filters.integrationId ?? ""} onChange={(v) => setParam("integrationId", v)} only={(i) => (i.channels?.length ?? 0) > 0} />
        <div className="grid gap-1.5">
          <Label htmlFor="m-to">Recipient</Label>
          <Input id="m-to" type="search" placeholder="+7999… or name@…" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
        <DateTimeFilter id="m-from" label="From" value={filters.from} onChange={(v) => setParam("from", v)} />
        <DateTimeFilter id="m-until" label="Until" value={filters.until} onChange={(v) => setParam("until", v)} />
        <div className="flex flex-wrap items-end gap-2 col-span-full">
          <ClearFiltersButton disabled={!active} onClick={() => {
              setTo("");
              clear();
            }} />
          {filters.batchId && (
            <Badge variant="outline">
              Bulk send {filters.batchId.slice(0, 8)}
              <button type="button" className="ml-1 hover:underline" onClick={() => setParam("batchId", null)} aria-label="Show all messages, not only this bulk send">
                ×
              </button>
            </Badge>
          )}
          <RefreshingSpinner query={list} />
        </div>
      </form>

      <PagedResults
        query={list}
        count={items.length}
        what="messages"
        end="No older messages"
        empty={
          <EmptyState icon={<MessageSquare />} title={active ? "No messages match these filters" : canSend ? "No messages yet — send a test message" : "No messages yet"}>
            {!active &&
              (canSend ? (
                <Button className="mt-2" onClick={() => setSending(true)}>
                  <Send /> Send test message
                </Button>
              ) : (
                "Messages appear here as the API and the notifications send them."
              ))}
          </EmptyState>
        }
      >
        <MessageRows items={items} onOpen={(id) => setParam("message", id)} />
      </PagedResults>

      <MessageDrawer id={open} canSend={canSend} onClose={() => setParam("message", null)} onOpen={(id) => setParam("message", id)} />
      {canSend && <SendTestDialog open={sending} onOpenChange={setSending} onSent={(id) => setParam("message", id)} />}
    </>
  );
}

function ChannelChart({ stats }: { stats: UseQueryResult<Stats> }) {
  if (stats.isPending) return <Skeleton className="h-44" />;
  if (stats.isError)
    return (
      <p className="text-destructive text-sm">
        Could not load the numbers: {(stats.error as Error).message}{" "}
        <Button variant="link" size="sm" className="h-auto p-0" onClick={() => stats.refetch()}>
          Try again
        </Button>
      </p>
    );
  const s = stats.data;
  if (s.total === 0) return <p className="text-muted-foreground text-sm">No messages in this period.</p>;
  const data = CHANNELS.filter((c) => s.byChannel[c]).map((c) => ({ channel: CHANNEL_META[c].label, ...s.byChannel[c] }));
  const summary = CHANNELS.filter((c) => s.byChannel[c])
    .map((c) => `${CHANNEL_META[c].label}: ${Object.values(s.byChannel[c] ?? {}).reduce((a, b) => a + (b ?? 0), 0)}`)
    .join(", ");
  return (
    <div className="h-44" role="img" aria-label={`${s.total} messages by channel: ${summary}`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ left: 8, right: 8 }}>
          <CartesianGrid strokeDasharray="3 3" horizontal={false} className="stroke-border" />
          <XAxis type="number" allowDecimals={false} tickLine={false} fontSize={12} />
          <YAxis type="category" dataKey="channel" tickLine={false} fontSize={12} width={72} />
          <Tooltip />
          <Legend />
          {MESSAGE_STATUSES.map((st) => (
            <Bar key={st} dataKey={st} name={STATUS_STYLE[st].label} stackId="a" fill={STATUS_STYLE[st].color} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

function MessageRows({ items, onOpen }: { items: MessageItem[]; onOpen: (id: string) => void }) {
  return (
    <Table aria-label="Messages">
      <TableHeader>
        <TableRow>
          <TableHead>Time</TableHead>
          <TableHead>Recipient</TableHead>
          <TableHead className="hidden md:table-cell">Message</TableHead>
          <TableHead className="hidden lg:table-cell">Provider</TableHead>
          <TableHead>Status</TableHead>
          <TableHead className="hidden sm:table-cell">Attempts</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((m) => (
          <TableRow key={m.id} className="cursor-pointer" onClick={() => onOpen(m.id)} data-testid="message-row">
            <TableCell className="whitespace-nowrap">
              <button
                type="button"
                className="text-left hover:underline"
                onClick={(e) => (e.stopPropagation(), onOpen(m.id))}
                aria-label={`Open ${channelLabel(m.channel)} to ${m.recipient}${m.subject ? `: ${m.subject}` : ""}`}
              >
                {formatDateTime(m.createdAt)}
              </button>
            </TableCell>
            <TableCell>
              <span className="flex items-center gap-2">
                <ChannelIcon channel={m.channel} />
                <span className="max-w-48 truncate font-mono text-xs">{m.recipient}</span>
              </span>
            </TableCell>
            <TableCell className="hidden max-w-80 md:table-cell">
              {m.subject && <span className="block truncate font-medium">{m.subject}</span>}
              <span className="text-muted-foreground line-clamp-2 text-xs">{m.body}</span>
            </TableCell>
            <TableCell className="hidden lg:table-cell">
              {m.integration ? (
                <span className="flex flex-wrap items-center gap-1">
                  <span>{m.integration.name}</span>
                  <span className="text-muted-foreground text-xs">{m.provider}</span>
                  {m.integration.mode === "sandbox" && (
                    <SandboxBadge />
                  )}
                </span>
              ) : (
                <span className="text-muted-foreground">{m.provider ?? "—"}</span>
              )}
            </TableCell>
            <TableCell>
              <MessageStatusBadge status={m.status} />
              {m.error && <span className="text-destructive mt-1 block max-w-64 truncate text-xs" title={m.error}>{m.error}</span>}
            </TableCell>
            <TableCell className="hidden tabular-nums sm:table-cell">{m.attempts}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function BatchesCard({ onShow }: { onShow: (id: string) => void }) {
  const q = useQuery({
    queryKey: ["messages", "batches"],
    queryFn: () => api<{ items: Batch[] }>("/api/v1/messages/batches"),
    refetchInterval: (query) => (query.state.data?.items.some((b) => !b.completedAt) ? LIVE_MS : IDLE_MS),
  });
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-base">Bulk sends</CardTitle>
        <CardDescription>The latest bulk SMS and e-mail sends, with their progress.</CardDescription>
      </CardHeader>
      <CardContent>
        {q.isPending ? (
          <Skeleton className="h-24" />
        ) : q.isError ? (
          <p className="text-destructive text-sm">
            Could not load bulk sends: {(q.error as Error).message}{" "}
            <Button variant="link" size="sm" className="h-auto p-0" onClick={() => q.refetch()}>
              Try again
            </Button>
          </p>
        ) : q.data.items.length === 0 ? (
          <p className="text-muted-foreground text-sm">No bulk sends yet. They are started through the API: POST /api/v1/sms/bulk or /api/v1/email/bulk.</p>
        ) : (
          <ul className="grid max-h-64 gap-3 overflow-y-auto" aria-label="Bulk sends">
            {q.data.items.map((b) => {
              const title = b.name ?? `Bulk ${channelLabel(b.channel)}`;
              return (
                <li key={b.id} className="grid gap-1.5 border-b pb-3 last:border-0 last:pb-0">
                  <div className="flex items-center gap-2 text-sm">
                    <ChannelIcon channel={b.channel} decorative />
                    <button type="button" className="truncate font-medium hover:underline" onClick={() => onShow(b.id)} aria-label={`Show the messages of ${title}`}>
                      {title}
                    </button>
                    <span className="text-muted-foreground ml-auto text-xs whitespace-nowrap">{formatDateTime(b.createdAt, { year: undefined, second: undefined })}</span>
                  </div>
                  <Progress value={b.percent} aria-label={`${title}: ${b.percent}% processed`} />
                  <div className="flex flex-wrap items-center gap-1 text-xs">
                    <span className="text-muted-foreground tabular-nums">
                      {b.processed} / {b.total}
                      {b.completedAt ? " · done" : " · running"}
                    </span>
                    {MESSAGE_STATUSES.filter((s) => b.byStatus[s]).map((s) => (
                      <Badge key={s} variant={STATUS_STYLE[s].badge}>
                        {STATUS_STYLE[s].label} {b.byStatus[s]}
                      </Badge>
                    ))}
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
