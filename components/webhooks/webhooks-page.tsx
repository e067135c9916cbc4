"use client";
// The webhook inbox: counts by status (each a filter), events per hour by status, the list
// with filters kept in the URL, and a drawer with headers, payload, verification and every
// attempt. Admins can Retry a failed event, Replay any processed one, and Delete (each asked first).
import * as React from "react";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { toast } from "sonner";
import { Loader2, Webhook, RefreshCw, Repeat, Trash2, ShieldCheck, ShieldAlert } from "lucide-react";
import { api } from "@/lib/client/api";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { DateTime } from "@/components/shared/time";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Sheet, SheetContent, SheetDescription, SheetHeader, SheetTitle } from "@/components/ui/sheet";
import {
  AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription, AlertDialogFooter,
  AlertDialogHeader, AlertDialogTitle, AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Json } from "@/components/logs/logs-table";
import { IntegrationSelect, DateTimeFilter, useIntegrations, ClearFiltersButton, RefreshingSpinner, FILTER_BAR } from "@/components/shared/filter-fields";
import { useUrlFilters, useDebouncedFilter } from "@/components/shared/url-filters";
import { PagedResults } from "@/components/shared/paged-results";
import { formatDateTime, formatDuration } from "@/lib/format";
import { WEBHOOK_STATUSES, type WebhookDetail, type WebhookList, type WebhookStats, type WebhookStatus } from "@/lib/webhooks/contract";


const STATUS_STYLE: Record<WebhookStatus, { label: string; badge: "info" | "warning" | "success" | "danger" | "muted"; color: string }> = {
  pending: { label: "Pending", badge: "info", color: "var(--chart-3)" },
  processing: { label: "Processing", badge: "warning", color: "var(--chart-4)" },
  completed: { label: "Completed", badge: "success", color: "var(--chart-1)" },
  failed: { label: "Failed", badge: "danger", color: "var(--chart-2)" },
  ignored: { label: "Ignored", badge: "muted", color: "var(--chart-5)" },
  rejected: { label: "Rejected", badge: "danger", color: "oklch(0.45 0.12 20)" },
};


/** A bar's label: its time of day for bars shorter than a day (with the date when the range spans days), else its date. */
function barLabel(at: string, s: Pick<WebhookStats, "bucketMinutes" | "from" | "to">) {
  const days = Date.parse(s.to) - Date.parse(s.from) > 86_400_000;
  if (s.bucketMinutes >= 1440) return formatDateTime(at, { year: undefined, hour: undefined, minute: undefined, second: undefined });
  return formatDateTime(at, days ? { year: undefined, second: undefined } : { year: undefined, month: undefined, day: undefined, second: undefined });
}

const FILTERS = ["provider", "integrationId", "type", "status", "from", "to"] as const;

/**
 * Some providers' event types are not words a person reads as an event (Google Calendar's push
 * notifications say only "sync", "exists" or "not_exists"): they are named here; others keep
 * the provider's own name for the event (payment_intent.succeeded), after the integration.
 */
const EVENT_WORDS: Record<string, Record<string, string>> = {
  "google-calendar": { sync: "Notifications started", exists: "Calendar changed", not_exists: "Calendar removed" },
  zoom: { "endpoint.url_validation": "Address check" },
};

function eventTitle(d: { provider: string; eventType: string; integration?: { name: string } | null }) {
  const what = EVENT_WORDS[d.provider]?.[d.eventType] ?? `Event ${d.eventType}`;
  return `${d.integration?.name ?? d.provider}: ${what}`;
}

export function StatusBadge({ status }: { status: WebhookStatus }) {
  const s = STATUS_STYLE[status];
  return <Badge variant={s.badge}>{s.label}</Badge>;
}

export function WebhooksPage({ canManage }: { canManage: boolean }) {
  const { filters, params, set: setParam, clear } = useUrlFilters("/webhooks", FILTERS);
  const [type, setType] = useDebouncedFilter(filters.type, (v) => setParam("type", v));
  const open = params.get("event");

  const integrations = useIntegrations();
  const providers = [...new Set(integrations.data?.items.map((i) => i.provider) ?? [])].sort();

  const { status: _omit, ...statFilters } = filters;
  const stats = useQuery({
    queryKey: ["webhooks", "stats", statFilters],
    queryFn: () => api<WebhookStats>(`/api/v1/webhooks/stats?${new URLSearchParams(statFilters)}`),
    refetchInterval: 10_000,
  });
  const list = useInfiniteQuery({
    queryKey: ["webhooks", "list", filters],
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      api<WebhookList>(`/api/v1/webhooks?${new URLSearchParams({ ...filters, limit: "50", ...(pageParam ? { cursor: pageParam } : {}) })}`),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 10_000,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const active = Object.keys(filters).length > 0;

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Every event providers pushed to Switchboard: verified, kept, processed once. Rejected deliveries are kept too (rate-limited) and never processed."
      />

      <div className="mb-4 flex flex-wrap gap-2" role="group" aria-label="Events by status">
        {WEBHOOK_STATUSES.map((s) => {
          const selected = filters.status === s;
          return (
            <Button key={s} variant={selected ? "default" : "outline"} size="sm" aria-pressed={selected} onClick={() => setParam("status", selected ? null : s)}>
              <span className="inline-block size-2 rounded-full" style={{ background: STATUS_STYLE[s].color }} aria-hidden />
              {STATUS_STYLE[s].label}
              <span className="tabular-nums" data-testid={`count-${s}`}>
                {stats.data ? stats.data.counts[s] : "…"}
              </span>
            </Button>
          );
        })}
      </div>

      <Card className="mb-4">
        <CardHeader>
          <CardTitle className="text-base">Events per {stats.data?.bucket ?? "hour"} by status</CardTitle>
          {stats.data && stats.data.total > 0 && (
            <CardDescription>
              <DateTime value={stats.data.from} /> – <DateTime value={stats.data.to} />
            </CardDescription>
          )}
        </CardHeader>
        <CardContent>
          {stats.isPending ? (
            <Skeleton className="h-48" />
          ) : stats.isError ? (
            <p className="text-destructive text-sm">Could not load the numbers: {(stats.error as Error).message}</p>
          ) : stats.data.total === 0 ? (
            <p className="text-muted-foreground text-sm">No events in this period.</p>
          ) : (
            <div className="h-48" role="img" aria-label={`${stats.data.total} events: ${WEBHOOK_STATUSES.map((s) => `${stats.data.counts[s]} ${s}`).join(", ")}`}>
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={stats.data.series.map((p) => ({ ...p, label: barLabel(p.at, stats.data) }))}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} className="stroke-border" />
                  <XAxis dataKey="label" tickLine={false} fontSize={12} interval="preserveStartEnd" />
                  <YAxis allowDecimals={false} tickLine={false} fontSize={12} width={32} />
                  <Tooltip />
                  <Legend />
                  {WEBHOOK_STATUSES.map((s) => (
                    <Bar key={s} dataKey={s} name={STATUS_STYLE[s].label} stackId="a" fill={STATUS_STYLE[s].color} />
                  ))}
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
        </CardContent>
      </Card>

      <form className={FILTER_BAR} onSubmit={(e) => e.preventDefault()} aria-label="Webhook filters">
        <div className="grid gap-1.5">
          <Label htmlFor="w-provider">Provider</Label>
          <NativeSelect id="w-provider" value={filters.provider ?? ""} onChange={(e) => setParam("provider", e.target.value || null)}>
            <option value="">All</option>
            {providers.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </NativeSelect>
        </div>
        <IntegrationSelect id="w-integration" value={filters.integrationId ?? ""} onChange={(v) => setParam("integrationId", v)} only={(i) => !!i.webhook} />
        <div className="grid gap-1.5">
          <Label htmlFor="w-type">Event type</Label>
          <Input id="w-type" type="search" placeholder="order.created or order.*" value={type} onChange={(e) => setType(e.target.value)} />
        </div>
        <DateTimeFilter id="w-from" label="From" value={filters.from} onChange={(v) => setParam("from", v)} />
        <DateTimeFilter id="w-to" label="To" value={filters.to} onChange={(v) => setParam("to", v)} />
        <div className="flex items-end gap-2 col-span-full">
          <ClearFiltersButton disabled={!active} onClick={() => {
              setType("");
              clear();
            }} />
          <RefreshingSpinner query={list} />
        </div>
      </form>

      <PagedResults
        query={list}
        count={items.length}
        what="webhooks"
        end="End of the inbox"
        empty={
          <EmptyState icon={<Webhook />} title={active ? "No events match these filters" : "No webhooks received yet"}>
            {!active && (canManage ? "Give a provider the webhook URL shown on its integration page; its events appear here as they arrive." : "Events the providers send appear here as they arrive.")}
          </EmptyState>
        }
      >
        <Table aria-label="Webhook events">
          <TableHeader>
            <TableRow>
              <TableHead>Received</TableHead>
              <TableHead>Event</TableHead>
              <TableHead>Status</TableHead>
              <TableHead className="hidden md:table-cell">Integration</TableHead>
              <TableHead className="hidden lg:table-cell">Attempts</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((e) => (
              <TableRow key={e.id} className="cursor-pointer" onClick={() => setParam("event", e.id)}>
                <TableCell className="whitespace-nowrap">
                  <button type="button" className="text-left hover:underline" onClick={(ev) => (ev.stopPropagation(), setParam("event", e.id))} aria-label={`Open event ${e.eventType} ${e.externalId ?? e.id}`}>
                    {formatDateTime(e.receivedAt)}
                  </button>
                </TableCell>
                <TableCell>
                  <span className="font-mono text-xs">{e.eventType}</span>
                  {e.externalId && <span className="text-muted-foreground ml-2 font-mono text-xs">{e.externalId}</span>}
                  {e.duplicates > 0 && (
                    <Badge variant="muted" className="ml-2">
                      +{e.duplicates} duplicate{e.duplicates > 1 ? "s" : ""}
                    </Badge>
                  )}
                </TableCell>
                <TableCell>
                  <StatusBadge status={e.status} />
                  {e.lastError && <span className="text-destructive ml-2 hidden text-xs xl:inline">{e.lastError}</span>}
                </TableCell>
                <TableCell className="hidden md:table-cell">{e.integration?.name ?? <span className="text-muted-foreground">deleted</span>}</TableCell>
                <TableCell className="hidden tabular-nums lg:table-cell">{e.status === "rejected" ? "—" : `${e.attempts} / ${e.maxRetries + 1}`}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </PagedResults>
      <EventDrawer id={open} canManage={canManage} onClose={() => setParam("event", null)} />
    </>
  );
}

function EventDrawer({ id, canManage, onClose }: { id: string | null; canManage: boolean; onClose: () => void }) {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["webhook", id],
    queryFn: () => api<WebhookDetail>(`/api/v1/webhooks/${id}`),
    enabled: !!id,
    // while it is being worked on, follow it
    refetchInterval: (query) => (query.state.data && ["pending", "processing"].includes(query.state.data.status) ? 1000 : false),
  });
  const act = useMutation({
    mutationFn: (kind: "retry" | "replay" | "delete") =>
      kind === "delete" ? api(`/api/v1/webhooks/${id}`, { method: "DELETE" }) : api(`/api/v1/webhooks/${id}/${kind}`, { method: "POST" }),
    onSuccess: (_d, kind) => {
      toast.success(kind === "delete" ? "Event deleted" : kind === "retry" ? "Retry queued" : "Replay queued");
      qc.invalidateQueries({ queryKey: ["webhooks"] });
      if (kind === "delete") onClose();
      else qc.invalidateQueries({ queryKey: ["webhook", id] });
    },
    onError: (e) => toast.error((e as Error).message),
  });
  const d = q.data;
  return (
    <Sheet open={!!id} onOpenChange={(o) => !o && onClose()}>
      <SheetContent aria-describedby={undefined} className="sm:max-w-2xl">
        <SheetHeader>
          <SheetTitle>{d ? eventTitle(d) : "Webhook event"}</SheetTitle>
          {d && (
            <SheetDescription>
              {formatDateTime(d.receivedAt)} · {d.integration?.name ?? d.provider} · {d.externalId ?? "no event id"}
            </SheetDescription>
          )}
        </SheetHeader>
        <div className="grid gap-4 overflow-y-auto px-4 pb-6">
          {q.isPending ? (
            <Skeleton className="h-64" />
          ) : q.isError ? (
            <p className="text-destructive text-sm">Could not load the event: {(q.error as Error).message}</p>
          ) : (
            <>
              <div className="flex flex-wrap items-center gap-2">
                <span data-testid="event-status">
                  <StatusBadge status={d!.status} />
                </span>
                {d!.signatureVerified ? (
                  <Badge variant="success">
                    <ShieldCheck className="size-3" /> Verified: {d!.verification}
                  </Badge>
                ) : (
                  <Badge variant="danger">
                    <ShieldAlert className="size-3" /> Not verified
                  </Badge>
                )}
                {d!.status !== "rejected" && (
                  <Badge variant="outline">
                    attempt {d!.attempts} of {d!.maxRetries + 1}
                  </Badge>
                )}
                {d!.replays > 0 && <Badge variant="muted">{d!.replays} manual re-run{d!.replays > 1 ? "s" : ""}</Badge>}
                {d!.duplicates > 0 && <Badge variant="muted">{d!.duplicates} duplicate deliveries ignored</Badge>}
              </div>
              {d!.status === "rejected" && <p className="text-destructive text-sm">Rejected: {d!.verification}</p>}
              {d!.lastError && d!.status !== "rejected" && (
                <Alert variant="destructive">
                  <AlertDescription>Last error: {d!.lastError}</AlertDescription>
                </Alert>
              )}
              {d!.nextAttemptAt && d!.status === "pending" && <p className="text-muted-foreground text-sm">Next attempt {formatDateTime(d!.nextAttemptAt)}</p>}

              {canManage && (
                <div className="flex flex-wrap gap-2">
                  {/* both run the event's handler again, with whatever it does outside: asked first */}
                  {d!.status === "failed" && (
                    <ConfirmDialog
                      trigger={
                        <Button disabled={act.isPending}>
                          {act.isPending && act.variables === "retry" ? <Loader2 className="animate-spin" /> : <RefreshCw />} Retry
                        </Button>
                      }
                      title="Retry this event?"
                      description="Its handler runs again now: messages may be sent and payments updated, as on a first delivery."
                      confirmLabel="Retry"
                      onConfirm={() => act.mutate("retry")}
                    />
                  )}
                  {["completed", "failed", "ignored"].includes(d!.status) && (
                    <ConfirmDialog
                      trigger={
                        <Button variant="outline" disabled={act.isPending}>
                          {act.isPending && act.variables === "replay" ? <Loader2 className="animate-spin" /> : <Repeat />} Replay
                        </Button>
                      }
                      title="Replay this event?"
                      description="Its handler runs again: messages may be sent and payments updated again."
                      confirmLabel="Replay"
                      onConfirm={() => act.mutate("replay")}
                    />
                  )}
                  <AlertDialog>
                    <AlertDialogTrigger asChild>
                      <Button variant="outline" disabled={act.isPending || d!.status === "processing"}>
                        <Trash2 /> Delete
                      </Button>
                    </AlertDialogTrigger>
                    <AlertDialogContent>
                      <AlertDialogHeader>
                        <AlertDialogTitle>Delete this event?</AlertDialogTitle>
                        <AlertDialogDescription>
                          Its payload and history are removed. If the provider delivers the same event again, it will be processed as new.
                        </AlertDialogDescription>
                      </AlertDialogHeader>
                      <AlertDialogFooter>
                        <AlertDialogCancel>Keep it</AlertDialogCancel>
                        <AlertDialogAction variant="destructive" onClick={() => act.mutate("delete")}>
                          Delete event
                        </AlertDialogAction>
                      </AlertDialogFooter>
                    </AlertDialogContent>
                  </AlertDialog>
                </div>
              )}

              <section aria-labelledby="attempts-h">
                <h3 id="attempts-h" className="mb-1 text-sm font-medium">
                  Attempts
                </h3>
                {d!.history.length === 0 ? (
                  <p className="text-muted-foreground text-sm">{d!.status === "rejected" ? "Never processed." : "Not processed yet."}</p>
                ) : (
                  <ol className="grid gap-1 text-sm">
                    {d!.history.map((h, i) => (
                      <li key={i} className="flex flex-wrap gap-x-2 border-b pb-1 last:border-0">
                        <span className="text-muted-foreground whitespace-nowrap">{formatDateTime(h.at)}</span>
                        <span className="font-medium">{h.attempt ? `#${h.attempt} ${h.outcome}` : h.outcome}</span>
                        {h.durationMs !== undefined && <span className="text-muted-foreground">{formatDuration(h.durationMs)}</span>}
                        {h.by && <span className="text-muted-foreground">by {h.by}</span>}
                        {h.error && <span className="text-destructive w-full">{h.error}</span>}
                        {h.note && <span className="text-muted-foreground w-full">{h.note}</span>}
                        {h.nextInSeconds !== undefined && <span className="text-muted-foreground w-full">next try in {h.nextInSeconds} s</span>}
                      </li>
                    ))}
                  </ol>
                )}
              </section>
              <section>
                <h3 className="mb-1 text-sm font-medium">Payload</h3>
                <Json value={d!.payload} />
              </section>
              <section>
                <h3 className="mb-1 text-sm font-medium">Headers</h3>
                <p className="text-muted-foreground mb-1 text-xs">
                  POST {d!.path} from {d!.sourceIp ?? "unknown address"}; secrets redacted
                </p>
                <Json value={d!.headers} />
              </section>
              {d!.result != null && (
                <section>
                  <h3 className="mb-1 text-sm font-medium">Result</h3>
                  <Json value={d!.result} />
                </section>
              )}
            </>
          )}
        </div>
      </SheetContent>
    </Sheet>
  );
}
