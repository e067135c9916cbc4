"use client";
// Calls: the RingCentral lines (connected or not, last sync, webhook subscription), the call
// log with filters kept in the URL (direction, result, number or name, dates, a driver or a
// contact) and keyset "Load older", "Call" (a number, a driver or a contact) with the call's live
// status, and "Sync now". Refreshes every couple of seconds while a call rings.
import * as React from "react";
import Link from "next/link";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";
import { Loader2, Phone, PhoneCall, RefreshCw, X } from "lucide-react";
import { api, ClientApiError } from "@/lib/client/api";
import { formatDateTime, timeAgo } from "@/lib/format";
import { PageHeader } from "@/components/layout/app-shell";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Badge } from "@/components/ui/badge";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState } from "@/components/ui/empty-state";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { DateTimeFilter, ClearFiltersButton, RefreshingSpinner, FILTER_BAR } from "@/components/shared/filter-fields";
import { useDebouncedFilter, useUrlFilters } from "@/components/shared/url-filters";
import { PagedResults } from "@/components/shared/paged-results";
import { ModeBadge } from "@/components/integrations/status";
import { CallDialog } from "@/components/calls/call-dialog";
import { CallButton } from "@/components/calls/call-button";
import {
  CallStatusBadge, DirectionBadge, LINES_KEY, ResultBadge, formatCallDuration, otherParty, useLines,
} from "@/components/calls/shared";
import type { CallItem, CallList, Line } from "@/lib/telephony/contract";
import type { SyncJob } from "@/lib/jobs/contract";

const FILTERS = ["direction", "result", "q", "from", "until", "source", "driverId", "contactId"] as const;
const LIVE_MS = 2000;
const IDLE_MS = 30_000;

export function CallsPage({ canCall }: { canCall: boolean }) {
  const qc = useQueryClient();
  const { filters, set: setParam, clear } = useUrlFilters("/calls", FILTERS);
  const [text, setText] = useDebouncedFilter(filters.q, (v) => setParam("q", v));
  const [calling, setCalling] = React.useState(false);
  const lines = useLines();

  const list = useInfiniteQuery({
    queryKey: ["calls", "list", filters],
    initialPageParam: "",
    queryFn: ({ pageParam }) => api<CallList>(`/api/v1/calls?${new URLSearchParams({ ...filters, limit: "50", ...(pageParam ? { cursor: pageParam } : {}) })}`),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.items.some((c) => c.live)) ? LIVE_MS : IDLE_MS),
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const results = list.data?.pages[0]?.facets?.results ?? [];
  const active = Object.keys(filters).length > 0;
  const person = items.find((c) => (filters.driverId && c.driver?.id === filters.driverId) || (filters.contactId && c.contact?.id === filters.contactId));
  const personName = filters.driverId ? person?.driver?.name : person?.contact?.name;

  const sync = useMutation({
    mutationFn: () => api<SyncJob>("/api/v1/calls/sync", { method: "POST", json: {} }),
    onSuccess: () => {
      toast.success("Call-log sync queued");
      void qc.invalidateQueries({ queryKey: LINES_KEY });
    },
    onError: (e) => toast.error(e instanceof ClientApiError ? e.message : (e as Error).message),
  });

  // while a sync runs, watch it; when it ends, the log is read again
  const syncing = lines.data?.items.some((l) => l.lastSync && (l.lastSync.status === "queued" || l.lastSync.status === "running")) ?? false;
  const refetchLines = lines.refetch;
  const wasSyncing = React.useRef(false);
  React.useEffect(() => {
    if (wasSyncing.current && !syncing) void qc.invalidateQueries({ queryKey: ["calls", "list"] });
    wasSyncing.current = syncing;
    if (!syncing) return;
    const t = setInterval(() => void refetchLines(), LIVE_MS);
    return () => clearInterval(t);
  }, [syncing, refetchLines, qc]);

  const anyLine = (lines.data?.items.length ?? 0) > 0;

  return (
    <>
      <PageHeader
        title="Calls"
        description="The RingCentral call log, linked to drivers and contacts by phone number, and click-to-call (RingOut) with the call's live status."
        actions={
          canCall && (
            <>
              <Button variant="outline" onClick={() => sync.mutate()} disabled={sync.isPending || syncing || !anyLine}>
                {sync.isPending || syncing ? <Loader2 className="animate-spin" /> : <RefreshCw />} Sync now
              </Button>
              <Button onClick={() => setCalling(true)} disabled={!anyLine}>
                <Phone /> Call
              </Button>
            </>
          )
        }
      />

      <Lines lines={lines} />

      <form className={FILTER_BAR} onSubmit={(e) => e.preventDefault()} aria-label="Call filters">
        <div className="grid gap-1.5">
          <Label htmlFor="c-direction">Direction</Label>
          <NativeSelect id="c-direction" value={filters.direction ?? ""} onChange={(e) => setParam("direction", e.target.value || null)}>
            <option value="">All</option>
            <option value="Inbound">Inbound</option>
            <option value="Outbound">Outbound</option>
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="c-result">Result</Label>
          <NativeSelect id="c-result" value={filters.result ?? ""} onChange={(e) => setParam("result", e.target.value || null)}>
            <option value="">All</option>
            {[...new Set([...results.map((r) => r.result), ...(filters.result ? [filters.result] : [])])].map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="c-source">Source</Label>
          <NativeSelect id="c-source" value={filters.source ?? ""} onChange={(e) => setParam("source", e.target.value || null)}>
            <option value="">All</option>
            <option value="call_log">Call log</option>
            <option value="ringout">Click-to-call</option>
          </NativeSelect>
        </div>
        <div className="grid gap-1.5">
          <Label htmlFor="c-q">Number or name</Label>
          <Input id="c-q" type="search" placeholder="+7999… or a name" value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <DateTimeFilter id="c-from" label="From" value={filters.from} onChange={(v) => setParam("from", v)} />
        <DateTimeFilter id="c-until" label="Until" value={filters.until} onChange={(v) => setParam("until", v)} />
        <div className="flex flex-wrap items-center gap-2 col-span-full">
          {(filters.driverId || filters.contactId) && (
            <Badge variant="outline" className="gap-1 py-1" data-testid="person-filter">
              {filters.driverId ? "Driver" : "Contact"}: {personName ?? "selected"}
              <button
                type="button"
                className="hover:text-foreground text-muted-foreground"
                aria-label="Show every call"
                onClick={() => {
                  setParam("driverId", null);
                  setParam("contactId", null);
                }}
              >
                <X className="size-3" />
              </button>
            </Badge>
          )}
          <ClearFiltersButton disabled={!active} onClick={() => {
              setText("");
              clear();
            }} />
          <RefreshingSpinner query={list} />
        </div>
      </form>

      <PagedResults
        query={list}
        count={items.length}
        what="calls"
        end="No older calls"
        empty={
          <EmptyState icon={<PhoneCall />} title={active ? "No calls match these filters" : "No calls yet"}>
            {!active &&
              (anyLine
                ? canCall
                  ? "Calls appear here after a call-log sync (Sync now, or the integration's auto-sync) and as you call from here."
                  : "Calls appear here after a call-log sync."
                : "Connect RingCentral on the Integrations page: its call log is synced here.")}
          </EmptyState>
        }
      >
        <CallRows items={items} canCall={canCall} onPerson={(kind, id) => setParam(kind === "driver" ? "driverId" : "contactId", id)} />
      </PagedResults>

      {canCall && <CallDialog open={calling} onOpenChange={setCalling} />}
    </>
  );
}

function Lines({ lines }: { lines: ReturnType<typeof useLines> }) {
  if (lines.isPending) return <Skeleton className="mb-4 h-16" />;
  if (lines.isError) {
    return (
      <Alert variant="destructive" className="mb-4">
        <AlertDescription>
          Could not load the RingCentral lines: {(lines.error as Error).message}
          <Button variant="outline" size="sm" onClick={() => lines.refetch()}>
            Try again
          </Button>
        </AlertDescription>
      </Alert>
    );
  }
  if (!lines.data.items.length) {
    return (
      <Alert className="mb-4">
        <AlertDescription>
          No RingCentral integration yet. An admin adds one on the <Link href="/integrations" className="underline">Integrations</Link> page and connects it; its call
          log then syncs here and calls can be made from this page.
        </AlertDescription>
      </Alert>
    );
  }
  return (
    <ul className="mb-4 grid gap-2 sm:grid-cols-2 xl:grid-cols-3" aria-label="RingCentral lines">
      {lines.data.items.map((l) => (
        <LineCard key={l.id} line={l} />
      ))}
    </ul>
  );
}

function LineCard({ line: l }: { line: Line }) {
  const state = !l.enabled ? (
    <Badge variant="muted">Switched off</Badge>
  ) : l.connected ? (
    <Badge variant="success">Connected</Badge>
  ) : l.needsReconnect ? (
    <Badge variant="danger">Needs reconnect</Badge>
  ) : (
    <Badge variant="warning">Not connected</Badge>
  );
  const job = l.lastSync;
  return (
    <li className="bg-card grid gap-1 rounded-lg border p-3 text-sm" aria-label={`Line ${l.name}`}>
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{l.name}</span>
        <ModeBadge mode={l.mode} />
        {state}
      </div>
      <p className="text-muted-foreground text-xs">
        {l.fromNumber ? <>Rings <span className="tabular-nums">{l.fromNumber}</span> first</> : "No 'From number' set"}
        {l.account && <> · {l.account}</>}
      </p>
      <p className="text-muted-foreground text-xs" data-testid="line-sync">
        {job ? (
          <>
            Last sync {job.status === "completed" ? <span title={formatDateTime(job.finishedAt)}>{timeAgo(job.finishedAt)}</span> : <span>{job.status}</span>}
            {job.status === "failed" && job.error && <span className="text-destructive"> · {job.error}</span>}
          </>
        ) : (
          "Never synced"
        )}
        {l.autoSync && l.syncIntervalMinutes ? ` · every ${l.syncIntervalMinutes} min` : ""}
      </p>
      {l.subscription && (
        <p className="text-muted-foreground text-xs">
          Live events:{" "}
          {l.subscription.status === "active" ? (
            <>on{l.subscription.expiresAt && <> (renewed before {formatDateTime(l.subscription.expiresAt)})</>}</>
          ) : l.subscription.status === "removed" ? (
            "off"
          ) : (
            <span className="text-destructive">{l.subscription.lastError ?? "not subscribed"}</span>
          )}
        </p>
      )}
    </li>
  );
}

function Party({ number, name, person, onPerson }: { number: string | null; name: string | null; person?: { kind: "driver" | "contact"; id: string; name: string } | null; onPerson: (kind: "driver" | "contact", id: string) => void }) {
  return (
    <div className="grid gap-0.5">
      <span className="tabular-nums">{number ?? <span className="text-muted-foreground">unknown</span>}</span>
      {person ? (
        <button type="button" className="w-fit text-left text-xs hover:underline" onClick={() => onPerson(person.kind, person.id)} title={`Calls with ${person.name}`}>
          <span className="text-muted-foreground">{person.kind === "driver" ? "Driver" : "Contact"}:</span> {person.name}
        </button>
      ) : (
        name && <span className="text-muted-foreground text-xs">{name}</span>
      )}
    </div>
  );
}

function CallRows({ items, canCall, onPerson }: { items: CallItem[]; canCall: boolean; onPerson: (kind: "driver" | "contact", id: string) => void }) {
  return (
    <Table aria-label="Calls">
      <TableHeader>
        <TableRow>
          <TableHead>Time</TableHead>
          <TableHead>Direction</TableHead>
          <TableHead>From</TableHead>
          <TableHead>To</TableHead>
          <TableHead className="text-right">Duration</TableHead>
          <TableHead>Result</TableHead>
          {canCall && <TableHead className="w-0"><span className="sr-only">Actions</span></TableHead>}
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((c) => {
          const person = c.driver ? { kind: "driver" as const, ...c.driver } : c.contact ? { kind: "contact" as const, ...c.contact } : null;
          const other = otherParty(c);
          return (
            <TableRow key={c.id} data-testid="call-row" data-call-id={c.id}>
              <TableCell className="whitespace-nowrap">
                <time dateTime={c.startedAt}>{formatDateTime(c.startedAt)}</time>
                {c.source === "ringout" && <span className="text-muted-foreground block text-xs">click-to-call</span>}
              </TableCell>
              <TableCell>
                <DirectionBadge direction={c.direction} />
              </TableCell>
              <TableCell>
                <Party number={c.fromNumber} name={c.fromName} person={c.direction === "Inbound" ? person : null} onPerson={onPerson} />
              </TableCell>
              <TableCell>
                <Party number={c.toNumber} name={c.toName} person={c.direction === "Outbound" ? person : null} onPerson={onPerson} />
              </TableCell>
              <TableCell className="text-right tabular-nums">{formatCallDuration(c.durationSeconds)}</TableCell>
              <TableCell>
                <div className="flex flex-wrap items-center gap-1">
                  {c.result ? <ResultBadge result={c.result} /> : !c.callStatus && <ResultBadge result={null} />}
                  {c.source === "ringout" && !c.result && <CallStatusBadge status={c.callStatus} />}
                  {c.live && <Loader2 className="text-muted-foreground size-3.5 animate-spin" aria-label={c.callStatus === "Success" ? "On the phone" : "Ringing"} />}
                </div>
              </TableCell>
              {canCall && (
                <TableCell>
                  {other.number?.startsWith("+") && (
                    <CallButton
                      size="icon"
                      label="Call back"
                      className="size-8"
                      target={{ phone: other.number, name: person?.name ?? other.name, driverId: c.driver?.id ?? null, contactId: c.driver ? null : (c.contact?.id ?? null) }}
                    />
                  )}
                </TableCell>
              )}
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
