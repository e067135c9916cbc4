"use client";
// The Zoom meetings panel: self-contained (its own queries and dialogs), so it can sit on the
// Calendar page as well as on /meetings. The list (topic, start in the meeting's time zone,
// duration, status, the join link with a copy button, recordings), "New meeting", the host's
// start link (asked of Zoom at the moment it is used), recordings, and delete with a confirm.
// Follows Zoom's events: refreshes while a meeting is in progress.
import * as React from "react";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Check, Copy, ExternalLink, Loader2, Play, Plus, Repeat, Trash2, Video } from "lucide-react";
import { api } from "@/lib/client/api";
import { Button } from "@/components/ui/button";
import { Badge } from "@/components/ui/badge";
import { Checkbox } from "@/components/ui/checkbox";
import { Label } from "@/components/ui/label";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import {
  AlertDialog, AlertDialogAction, AlertDialogCancel, AlertDialogContent, AlertDialogDescription, AlertDialogFooter, AlertDialogHeader, AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { PagedResults } from "@/components/shared/paged-results";
import { NewMeetingDialog } from "@/components/meetings/new-meeting-dialog";
import type { MeetingAnswer, MeetingItem, MeetingList, MeetingRecordings } from "@/lib/meetings/contract";
import { MeetingStatusBadge, formatBytes, formatInZone, formatMinutes } from "@/components/meetings/shared";
import { SandboxBadge } from "@/components/integrations/status";

const LIVE_MS = 5000;
const IDLE_MS = 30_000;

export function MeetingsPanel({ canWrite }: { canWrite: boolean }) {
  const [creating, setCreating] = React.useState(false);
  const [showDeleted, setShowDeleted] = React.useState(false);
  const [deleting, setDeleting] = React.useState<MeetingItem | null>(null);
  const [recordingsOf, setRecordingsOf] = React.useState<MeetingItem | null>(null);
  const qc = useQueryClient();

  const list = useInfiniteQuery({
    queryKey: ["meetings", "list", { showDeleted }],
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      api<MeetingList>(
        `/api/v1/meetings?${new URLSearchParams({ limit: "50", ...(showDeleted ? { includeDeleted: "1" } : {}), ...(pageParam ? { cursor: pageParam } : {}) })}`,
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((m) => m.status === "started")) ? LIVE_MS : IDLE_MS),
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  const remove = useMutation({
    mutationFn: (m: MeetingItem) => api<MeetingAnswer>(`/api/v1/meetings/${m.id}`, { method: "DELETE" }),
    onSuccess: (m) => {
      toast.success(`Meeting "${m.topic}" deleted`, { description: m.note });
      setDeleting(null);
      qc.invalidateQueries({ queryKey: ["meetings"] });
    },
    onError: (e) => toast.error(`Could not delete the meeting: ${(e as Error).message}`),
  });

  return (
    <Card aria-labelledby="meetings-title">
      <CardHeader className="flex flex-row flex-wrap items-start justify-between gap-3">
        <div className="grid gap-1">
          <CardTitle id="meetings-title" className="flex items-center gap-2 text-base">
            <Video className="size-4" aria-hidden /> Zoom meetings
          </CardTitle>
          <CardDescription>Scheduled and recurring meetings; their status and recordings follow Zoom&apos;s events.</CardDescription>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <div className="flex items-center gap-2">
            <Checkbox id="meetings-show-deleted" checked={showDeleted} onCheckedChange={(c) => setShowDeleted(c === true)} />
            <Label htmlFor="meetings-show-deleted" className="text-sm font-normal">
              Show deleted
            </Label>
          </div>
          {canWrite && (
            <Button onClick={() => setCreating(true)}>
              <Plus /> New meeting
            </Button>
          )}
        </div>
      </CardHeader>
      <CardContent>
        <PagedResults
          query={list}
          count={items.length}
          what="meetings"
          end="No more meetings"
          empty={
            <EmptyState icon={<Video />} title="No meetings yet">
              {canWrite ? (
                <Button className="mt-2" onClick={() => setCreating(true)}>
                  <Plus /> New meeting
                </Button>
              ) : (
                "Meetings appear here when someone creates one."
              )}
            </EmptyState>
          }
        >
          <Table aria-label="Zoom meetings">
            <TableHeader>
              <TableRow>
                <TableHead>Topic</TableHead>
                <TableHead>Starts</TableHead>
                <TableHead>Duration</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Join link</TableHead>
                <TableHead className="text-right">Recordings</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {items.map((m) => (
                <MeetingRow key={m.id} m={m} canWrite={canWrite} onDelete={() => setDeleting(m)} onRecordings={() => setRecordingsOf(m)} />
              ))}
            </TableBody>
          </Table>
        </PagedResults>
      </CardContent>

      {canWrite && <NewMeetingDialog open={creating} onOpenChange={setCreating} />}
      <RecordingsDialog meeting={recordingsOf} onClose={() => setRecordingsOf(null)} />

      <AlertDialog open={!!deleting} onOpenChange={(o) => !o && !remove.isPending && setDeleting(null)}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>Delete this meeting?</AlertDialogTitle>
            <AlertDialogDescription>
              &quot;{deleting?.topic}&quot; is deleted at Zoom{deleting?.recurring ? " with all its occurrences" : ""}: its join link stops working
              {deleting?.calendarEventId ? ", and the link leaves its calendar event" : ""}.
            </AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel disabled={remove.isPending}>Keep it</AlertDialogCancel>
            <AlertDialogAction
              variant="destructive"
              disabled={remove.isPending}
              onClick={(ev) => {
                ev.preventDefault();
                if (deleting) remove.mutate(deleting);
              }}
            >
              {remove.isPending && <Loader2 className="animate-spin" />} Delete meeting
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </Card>
  );
}

function CopyButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = React.useState(false);
  return (
    <Button
      type="button"
      variant="ghost"
      size="icon"
      aria-label={label}
      title={label}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(value);
          setCopied(true);
          setTimeout(() => setCopied(false), 2000);
        } catch {
          toast.message("Copy the link from the Join link's address", { description: value });
        }
      }}
    >
      {copied ? <Check /> : <Copy />}
    </Button>
  );
}

function MeetingRow({ m, canWrite, onDelete, onRecordings }: { m: MeetingItem; canWrite: boolean; onDelete: () => void; onRecordings: () => void }) {
  const [starting, setStarting] = React.useState(false);
  const live = m.status !== "deleted";
  const startHost = async () => {
    // opened at once (a popup after an await is blocked), pointed at the fresh start link
    const w = window.open("about:blank", "_blank");
    setStarting(true);
    try {
      const fresh = await api<MeetingAnswer>(`/api/v1/meetings/${m.id}?refresh=1`);
      if (!fresh.startUrl) throw new Error(fresh.note ?? "Zoom gave no start link");
      if (w) w.location.href = fresh.startUrl;
      else window.location.href = fresh.startUrl;
    } catch (e) {
      w?.close();
      toast.error(`Could not start the meeting: ${(e as Error).message}`);
    } finally {
      setStarting(false);
    }
  };
  return (
    <TableRow data-testid={`meeting-${m.id}`}>
      <TableCell className="max-w-64">
        <div className="flex flex-wrap items-center gap-1.5">
          <span className="font-medium break-words">{m.topic}</span>
          {m.recurring && (
            <Badge variant="secondary" title={m.occurrences ? `${m.occurrences} meetings` : undefined}>
              <Repeat aria-hidden /> Recurring
            </Badge>
          )}
          {m.integration?.mode === "sandbox" && (
            <SandboxBadge />
          )}
        </div>
        <span className="text-muted-foreground text-xs">ID {m.zoomMeetingId}</span>
      </TableCell>
      <TableCell className="whitespace-nowrap">
        {formatInZone(m.recurring && m.nextOccurrenceAt ? m.nextOccurrenceAt : m.startsAt, m.timeZone)}
        {m.timeZone && <div className="text-muted-foreground text-xs">{m.timeZone}</div>}
        {m.recurring && m.nextOccurrenceAt && <div className="text-muted-foreground text-xs">next meeting</div>}
      </TableCell>
      <TableCell className="whitespace-nowrap">{formatMinutes(m.durationMinutes)}</TableCell>
      <TableCell>
        <MeetingStatusBadge status={m.status} />
      </TableCell>
      <TableCell>
        {live ? (
          <div className="flex items-center gap-1">
            <a href={m.joinUrl} target="_blank" rel="noopener noreferrer" className="text-primary inline-flex items-center gap-1 text-sm underline-offset-4 hover:underline" aria-label={`Join ${m.topic}`}>
              Join <ExternalLink className="size-3" aria-hidden />
            </a>
            <CopyButton value={m.joinUrl} label={`Copy the join link of ${m.topic}`} />
          </div>
        ) : (
          <span className="text-muted-foreground text-sm">—</span>
        )}
      </TableCell>
      <TableCell className="text-right">
        <Button variant="link" size="sm" className="h-auto p-0 tabular-nums" onClick={onRecordings} aria-label={`Recordings of ${m.topic}: ${m.recordingsCount}`}>
          {m.recordingsCount}
        </Button>
      </TableCell>
      <TableCell>
        {canWrite && live && (
          <div className="flex justify-end gap-1">
            <Button variant="outline" size="sm" onClick={startHost} disabled={starting} aria-label={`Start ${m.topic} as host`}>
              {starting ? <Loader2 className="animate-spin" /> : <Play />} Start
            </Button>
            <Button variant="ghost" size="icon" onClick={onDelete} aria-label={`Delete ${m.topic}`} title="Delete">
              <Trash2 />
            </Button>
          </div>
        )}
      </TableCell>
    </TableRow>
  );
}

function RecordingsDialog({ meeting, onClose }: { meeting: MeetingItem | null; onClose: () => void }) {
  const q = useQuery({
    queryKey: ["meetings", "recordings", meeting?.id],
    enabled: !!meeting,
    queryFn: () => api<MeetingRecordings>(`/api/v1/meetings/${meeting!.id}/recordings${meeting!.status === "deleted" ? "?refresh=0" : ""}`),
  });
  return (
    <Dialog open={!!meeting} onOpenChange={(o) => !o && onClose()}>
      <DialogContent className="sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>Recordings</DialogTitle>
          <DialogDescription>{meeting?.topic}: Zoom cloud recordings of the latest meeting.</DialogDescription>
        </DialogHeader>
        {q.isPending ? (
          <p className="text-muted-foreground flex items-center gap-2 text-sm">
            <Loader2 className="size-4 animate-spin" /> Asking Zoom…
          </p>
        ) : q.isError ? (
          <Alert variant="destructive">
            <AlertDescription>
              Could not load the recordings: {(q.error as Error).message}{" "}
              <Button variant="outline" size="sm" onClick={() => q.refetch()}>
                Try again
              </Button>
            </AlertDescription>
          </Alert>
        ) : q.data.items.length === 0 ? (
          <p className="text-muted-foreground text-sm">No recordings yet. Cloud recordings appear here once the meeting has ended and Zoom has processed them.</p>
        ) : (
          <ul className="grid gap-2" aria-label="Recording files">
            {q.data.items.map((f, i) => (
              <li key={f.id ?? i} className="flex items-center justify-between gap-3 rounded-md border p-2 text-sm">
                <span>
                  <span className="font-medium">{f.fileType ?? "File"}</span>{" "}
                  <span className="text-muted-foreground">
                    {(f.recordingType ?? "").replace(/_/g, " ")} · {formatBytes(f.size)}
                  </span>
                </span>
                {f.playUrl && (
                  <a href={f.playUrl} target="_blank" rel="noopener noreferrer" className="text-primary inline-flex items-center gap-1 underline-offset-4 hover:underline">
                    Play <ExternalLink className="size-3" aria-hidden />
                  </a>
                )}
              </li>
            ))}
          </ul>
        )}
      </DialogContent>
    </Dialog>
  );
}
