"use client";
// The Calendar page: pick a Google Calendar integration, see its sync state (connection, last
// sync, sync token, push channel, direction and frequency, what waits to be sent) with "Sync
// now", and the upcoming events grouped by day with create, edit and delete for those who may.
// While a sync job is queued or running the page follows it, then reloads the events.
import * as React from "react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { AlertTriangle, CalendarDays, CalendarPlus, Loader2, MapPin, Pencil, RefreshCw, Trash2, Users } from "lucide-react";
import { api } from "@/lib/client/api";
import { formatDateTime, timeAgo } from "@/lib/format";
import { NextRun } from "@/components/shared/time";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState } from "@/components/ui/empty-state";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import {
  AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription, AlertDialogFooter, AlertDialogHeader, AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { EventDialog } from "@/components/calendar/event-dialog";
import { DIRECTION_LABEL, FREQUENCY_LABEL } from "@/components/calendar/labels";
import type { CalendarEventItem, CalendarEventList, CalendarStatus, CalendarStatusList } from "@/lib/calendar/contract";
import type { SyncJob } from "@/lib/jobs/contract";
import { SandboxBadge } from "@/components/integrations/status";

const RANGES = [
  { days: 7, label: "Next 7 days" },
  { days: 30, label: "Next 30 days" },
  { days: 90, label: "Next 90 days" },
] as const;
const busy = (s?: CalendarStatus) => s?.lastJob?.status === "queued" || s?.lastJob?.status === "running";

export function CalendarPage({ canWrite, canManage }: { canWrite: boolean; canManage: boolean }) {
  const qc = useQueryClient();
  const router = useRouter();
  const params = useSearchParams();
  const status = useQuery({
    queryKey: ["calendar", "status"],
    queryFn: () => api<CalendarStatusList>("/api/v1/calendar/google/status"),
    refetchInterval: (q) => (q.state.data?.items.some(busy) ? 1500 : 30_000),
  });
  const integrations = status.data?.items ?? [];
  const selectedId = params.get("integration") ?? integrations.find((i) => i.status !== "inactive")?.id ?? integrations[0]?.id ?? "";
  const selected = integrations.find((i) => i.id === selectedId);
  const [days, setDays] = React.useState<number>(30);
  const [editing, setEditing] = React.useState<CalendarEventItem | null>(null);
  const [creating, setCreating] = React.useState(false);
  const [deleting, setDeleting] = React.useState<CalendarEventItem | null>(null);

  const range = React.useMemo(() => {
    const from = new Date();
    from.setHours(0, 0, 0, 0);
    return { from: from.toISOString(), to: new Date(from.getTime() + days * 86_400_000).toISOString() };
  }, [days]);
  const events = useQuery({
    queryKey: ["calendar", "events", selectedId, range],
    enabled: !!selectedId,
    queryFn: () =>
      api<CalendarEventList>(
        `/api/v1/calendar/google/events?${new URLSearchParams({ integrationId: selectedId, from: range.from, to: range.to, limit: "500" })}`,
      ),
    refetchInterval: 30_000,
  });

  // a sync finished: show what it brought
  const finished = selected?.lastJob?.finishedAt ?? null;
  React.useEffect(() => {
    if (finished) void qc.invalidateQueries({ queryKey: ["calendar", "events"] });
  }, [finished, qc]);

  const syncNow = useMutation({
    mutationFn: () => api<SyncJob>("/api/v1/calendar/google/sync", { method: "POST", json: { integrationId: selectedId } }),
    onSuccess: () => {
      toast.success("Sync started");
      void qc.invalidateQueries({ queryKey: ["calendar", "status"] });
    },
    onError: (e) => toast.error("Could not start a sync", { description: (e as Error).message }),
  });

  const remove = useMutation({
    mutationFn: (ev: CalendarEventItem) => api<CalendarEventItem>(`/api/v1/calendar/google/events/${ev.id}`, { method: "DELETE" }),
    onSuccess: (ev) => {
      if (ev.sync.state === "synced") toast.success(`Deleted “${ev.title}” here and in Google Calendar`);
      else toast.warning(`Deleted “${ev.title}” here; Google Calendar follows with the next sync`, { description: ev.sync.error ?? undefined });
      void qc.invalidateQueries({ queryKey: ["calendar"] });
    },
    onError: (e) => toast.error("Could not delete the event", { description: (e as Error).message }),
    onSettled: () => setDeleting(null),
  });

  const writable = canWrite && !!selected && selected.status !== "inactive" && selected.direction !== "from_google";

  return (
    <>
      <PageHeader
        title="Calendar"
        description="Events of the CRM kept in step with Google Calendar: created here or in Google, changes and deletions flow both ways."
        actions={
          writable && (
            <Button onClick={() => setCreating(true)}>
              <CalendarPlus /> New event
            </Button>
          )
        }
      />

      {status.isPending ? (
        <Skeleton className="h-40" />
      ) : status.isError ? (
        <LoadError what="the calendars" error={status.error} retry={() => status.refetch()} />
      ) : integrations.length === 0 ? (
        <EmptyState icon={<CalendarDays />} title="No Google Calendar connected yet">
          {canManage ? (
            <>
              Create a Google Calendar integration and click Connect on its page.{" "}
              <Link className="text-primary underline" href="/integrations/new">
                Add an integration
              </Link>
            </>
          ) : (
            "An admin connects Google Calendar on the Integrations page."
          )}
        </EmptyState>
      ) : (
        <>
          <div className="mb-4 flex flex-wrap items-end gap-3">
            <div className="grid gap-1.5">
              <Label htmlFor="cal-integration">Calendar integration</Label>
              <NativeSelect
                id="cal-integration"
                value={selectedId}
                onChange={(e) => router.replace(`/calendar?${new URLSearchParams({ integration: e.target.value })}`, { scroll: false })}
              >
                {integrations.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name}
                    {i.mode === "sandbox" ? " (sandbox)" : ""}
                    {i.status === "inactive" ? " — disabled" : ""}
                  </option>
                ))}
              </NativeSelect>
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor="cal-range">Show</Label>
              <NativeSelect id="cal-range" value={String(days)} onChange={(e) => setDays(Number(e.target.value))}>
                {RANGES.map((r) => (
                  <option key={r.days} value={r.days}>
                    {r.label}
                  </option>
                ))}
              </NativeSelect>
            </div>
          </div>

          {selected && <SyncStatus s={selected} canWrite={canWrite} onSync={() => syncNow.mutate()} starting={syncNow.isPending} />}

          <section className="mt-6" aria-labelledby="cal-upcoming">
            <h2 id="cal-upcoming" className="mb-3 text-lg font-semibold">
              Upcoming events
            </h2>
            {events.isPending ? (
              <div className="grid gap-2">
                <Skeleton className="h-16" />
                <Skeleton className="h-16" />
              </div>
            ) : events.isError ? (
              <LoadError what="the events" error={events.error} retry={() => events.refetch()} />
            ) : events.data.items.length === 0 ? (
              <EmptyState icon={<CalendarDays />} title={`No events in the ${RANGES.find((r) => r.days === days)?.label.toLowerCase() ?? "period"}`}>
                {writable ? "Create one here, or add it in Google Calendar and sync." : "Events made here or in Google Calendar appear after the next sync."}
              </EmptyState>
            ) : (
              <Agenda items={events.data.items} canWrite={writable} onEdit={setEditing} onDelete={setDeleting} />
            )}
            {events.data?.truncated && <p className="text-muted-foreground mt-2 text-sm">Showing the first 500 events of the period.</p>}
          </section>
        </>
      )}

      {selected && writable && (
        <>
          <EventDialog open={creating} onOpenChange={setCreating} integrationId={selected.id} />
          <EventDialog open={!!editing} onOpenChange={(o) => !o && setEditing(null)} integrationId={selected.id} event={editing} />
        </>
      )}
      <AlertDialog open={!!deleting} onOpenChange={(o) => !o && setDeleting(null)}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Delete “{deleting?.title}”?</AlertDialogTitle>
            <AlertDialogDescription>It is deleted here and in Google Calendar{deleting?.attendees.length ? "; attendees are told it is cancelled" : ""}.</AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel>Keep it</AlertDialogCancel>
            <AlertDialogAction variant="destructive" disabled={remove.isPending} onClick={() => deleting && remove.mutate(deleting)}>
              Delete event
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </>
  );
}

function LoadError({ what, error, retry }: { what: string; error: unknown; retry: () => void }) {
  return (
    <Alert variant="destructive">
      <AlertTriangle />
      <AlertTitle>Could not load {what}</AlertTitle>
      <AlertDescription>
        {(error as Error).message}
        <Button variant="link" size="sm" className="h-auto p-0" onClick={retry}>
          Try again
        </Button>
      </AlertDescription>
    </Alert>
  );
}

function Fact({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="grid gap-0.5">
      <dt className="text-muted-foreground text-xs">{label}</dt>
      <dd className="text-sm" data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}

function SyncStatus({ s, canWrite, onSync, starting }: { s: CalendarStatus; canWrite: boolean; onSync: () => void; starting: boolean }) {
  const running = busy(s);
  const job = s.lastJob;
  return (
    <Card data-testid="calendar-sync-status">
      <CardHeader>
        <CardTitle className="flex flex-wrap items-center gap-2 text-base">
          Sync
          <Badge variant={s.connection === "connected" ? "success" : s.connection === "needs_reconnect" ? "danger" : "muted"} data-testid="calendar-connection">
            {s.connection === "connected" ? "Connected" : s.connection === "needs_reconnect" ? "Needs reconnect" : "Not connected"}
          </Badge>
          {s.mode === "sandbox" && <SandboxBadge />}
          {running && (
            <Badge variant="warning" data-testid="calendar-sync-running">
              <Loader2 className="animate-spin" /> {job?.status === "running" ? "Syncing…" : "Sync queued"}
            </Badge>
          )}
        </CardTitle>
        <CardDescription>
          {s.account ? `Account ${s.account} · ` : ""}calendar {s.calendarId}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {s.connection !== "connected" && (
          <Alert variant="destructive">
            <AlertTriangle />
            <AlertTitle>{s.connection === "needs_reconnect" ? "Google no longer accepts the saved authorization" : "Not connected to Google"}</AlertTitle>
            <AlertDescription>
              {s.connectionError ?? "An admin connects the Google account on the integration's page."}{" "}
              <Link className="text-primary underline" href={`/integrations/${s.id}`}>
                Open the integration
              </Link>
            </AlertDescription>
          </Alert>
        )}
        <dl className="grid grid-cols-2 gap-x-6 gap-y-3 md:grid-cols-4">
          <Fact label="Last sync" testId="calendar-last-sync">
            {s.sync.lastSyncAt ? <span title={formatDateTime(s.sync.lastSyncAt)}>{timeAgo(s.sync.lastSyncAt)}</span> : "Never"}
          </Fact>
          <Fact label="Sync token" testId="calendar-sync-token">
            {s.sync.syncToken ? "Stored: next sync is incremental" : "None: next sync is a full sync"}
            {s.sync.resyncs > 0 && <span className="text-muted-foreground block text-xs">{s.sync.resyncs} full resync{s.sync.resyncs === 1 ? "" : "s"} after 410</span>}
            {s.sync.resumeAtPage && <span className="text-muted-foreground block text-xs">resumes at page {s.sync.resumeAtPage}</span>}
          </Fact>
          <Fact label="Push channel" testId="calendar-channel">
            {s.channel ? (
              <span title={formatDateTime(s.channel.expiresAt)}>Open, renews before {formatDateTime(s.channel.expiresAt, { second: undefined })}</span>
            ) : s.frequency === "realtime" ? (
              "None yet"
            ) : (
              "Not used"
            )}
            {s.channel?.lastMessageAt && <span className="text-muted-foreground block text-xs">last notification {timeAgo(s.channel.lastMessageAt)}</span>}
          </Fact>
          <Fact label="Waiting to be sent">
            {s.events.pending}
            {s.events.failing > 0 && <span className="text-destructive"> ({s.events.failing} failed: retried by the next sync)</span>}
          </Fact>
          <Fact label="Direction">{DIRECTION_LABEL[s.direction] ?? s.direction}</Fact>
          <Fact label="Frequency">{FREQUENCY_LABEL[s.frequency] ?? s.frequency}</Fact>
          <Fact label="Next scheduled sync">{s.schedule.autoSync && s.schedule.nextSyncAt ? <NextRun value={s.schedule.nextSyncAt} /> : "Not scheduled"}</Fact>
          <Fact label="Events here">{s.events.total}</Fact>
        </dl>
        {job && (
          <p className="text-sm" data-testid="calendar-last-job">
            Last job:{" "}
            <Link className="text-primary underline" href="/jobs">
              {job.status}
            </Link>{" "}
            ({job.trigger}) {job.finishedAt ? timeAgo(job.finishedAt) : timeAgo(job.createdAt)}
            {job.error && <span className="text-destructive block">{job.error}</span>}
          </p>
        )}
        <div className="flex flex-wrap gap-2">
          {canWrite && (
            <Button variant="outline" onClick={onSync} disabled={starting || running || s.status === "inactive" || s.connection !== "connected"}>
              {starting || running ? <Loader2 className="animate-spin" /> : <RefreshCw />} Sync now
            </Button>
          )}
          <Button variant="ghost" asChild>
            <Link href={`/integrations/${s.id}`}>Settings</Link>
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}

const dayKey = (ev: CalendarEventItem) => (ev.allDay ? ev.startDate! : new Date(ev.start).toLocaleDateString("en-CA"));
const dayLabel = (key: string) => new Date(`${key}T12:00:00`).toLocaleDateString(undefined, { weekday: "long", month: "long", day: "numeric" });
const timeOf = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });

function SyncBadge({ ev }: { ev: CalendarEventItem }) {
  if (ev.sync.state === "synced") return <Badge variant="success">In Google</Badge>;
  if (ev.sync.state === "error")
    return (
      <Badge variant="danger" title={ev.sync.error ?? undefined}>
        Not sent
      </Badge>
    );
  return <Badge variant="warning">Waiting to sync</Badge>;
}

function Agenda({
  items,
  canWrite,
  onEdit,
  onDelete,
}: {
  items: CalendarEventItem[];
  canWrite: boolean;
  onEdit: (ev: CalendarEventItem) => void;
  onDelete: (ev: CalendarEventItem) => void;
}) {
  const days = new Map<string, CalendarEventItem[]>();
  for (const ev of items) days.set(dayKey(ev), [...(days.get(dayKey(ev)) ?? []), ev]);
  return (
    <div className="grid gap-4">
      {[...days].map(([key, evs]) => (
        <section key={key} aria-label={dayLabel(key)}>
          <h3 className="text-muted-foreground mb-2 text-sm font-medium">{dayLabel(key)}</h3>
          <ul className="grid gap-2" aria-label={`Events on ${dayLabel(key)}`}>
            {evs.map((ev) => (
              <li key={ev.id} className="flex flex-col gap-2 rounded-lg border p-3 sm:flex-row sm:items-start sm:justify-between" data-testid="calendar-event">
                <div className="min-w-0">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="text-muted-foreground w-28 shrink-0 text-sm tabular-nums">{ev.allDay ? "All day" : `${timeOf(ev.start)} – ${timeOf(ev.end)}`}</span>
                    <span className="font-medium">{ev.title}</span>
                    <Badge variant="outline">{ev.origin === "google" ? "From Google" : "From the CRM"}</Badge>
                    <SyncBadge ev={ev} />
                    {ev.recurrence && <Badge variant="muted">Repeats</Badge>}
                  </div>
                  <div className="text-muted-foreground mt-1 flex flex-wrap gap-x-4 gap-y-1 text-sm">
                    {ev.location && (
                      <span className="flex min-w-0 items-center gap-1">
                        <MapPin className="size-3.5 shrink-0" /> <span className="truncate">{ev.location}</span>
                      </span>
                    )}
                    {ev.attendees.length > 0 && (
                      <span className="flex items-center gap-1" title={ev.attendees.map((a) => a.email).join(", ")}>
                        <Users className="size-3.5" /> {ev.attendees.length} attendee{ev.attendees.length === 1 ? "" : "s"}
                      </span>
                    )}
                    {ev.application && <span>Application {ev.application.number}</span>}
                  </div>
                  {ev.sync.error && <p className="text-destructive mt-1 text-xs">{ev.sync.error}</p>}
                </div>
                {canWrite && (
                  <div className="flex shrink-0 gap-1">
                    <Button variant="ghost" size="sm" aria-label={`Edit ${ev.title}`} onClick={() => onEdit(ev)}>
                      <Pencil /> Edit
                    </Button>
                    <Button variant="ghost" size="sm" aria-label={`Delete ${ev.title}`} onClick={() => onDelete(ev)}>
                      <Trash2 /> Delete
                    </Button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
