"use client";
// Beside the live map: how many drivers are in each state (each a filter), a search by name,
// phone or plate, the picked driver's position with Follow / Stop following (and Call, for
// those who may call through RingCentral), and the list.
import * as React from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import { Crosshair, LocateOff, Search, Truck, X } from "lucide-react";
import { cn } from "@/lib/utils";
import { formatDateTime } from "@/lib/format";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState } from "@/components/ui/empty-state";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { CallButton } from "@/components/calls/call-button";
import { STATE_ORDER, STATE_STYLE, formatCoords, formatSpeed, matchesSearch, relativeTime, type LiveDrivers } from "@/components/map/shared";
import type { DriverItem, DriverState } from "@/lib/tracking/contract";

/** Re-render every `ms` so "12 s ago" keeps counting. */
function useNow(ms: number) {
  const [now, setNow] = React.useState(() => Date.now());
  React.useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

export function StateLabel({ state, className }: { state: DriverState; className?: string }) {
  const s = STATE_STYLE[state];
  return (
    <span className={cn("inline-flex shrink-0 items-center gap-1.5 text-xs font-medium", s.text, className)} data-state={state}>
      <span className={cn("inline-block size-2.5 rounded-full", s.dot)} aria-hidden />
      {s.label}
    </span>
  );
}

export function LivePanel({
  query,
  clockOffsetMs,
  selectedId,
  following,
  onSelect,
  onFollow,
  onStopFollowing,
  onClear,
}: {
  query: UseQueryResult<LiveDrivers>;
  clockOffsetMs: number;
  selectedId: string | null;
  following: boolean;
  onSelect: (id: string) => void;
  onFollow: () => void;
  onStopFollowing: () => void;
  onClear: () => void;
}) {
  const [search, setSearch] = React.useState("");
  const [stateFilter, setStateFilter] = React.useState<DriverState | null>(null);
  const now = useNow(1000) + clockOffsetMs;

  if (query.isError && !query.data) {
    return (
      <Alert variant="destructive">
        <AlertDescription>
          Could not load the drivers: {(query.error as Error).message}
          <Button variant="outline" size="sm" onClick={() => query.refetch()}>
            Try again
          </Button>
        </AlertDescription>
      </Alert>
    );
  }
  if (query.isPending) {
    return (
      <div className="grid gap-2" aria-label="Loading drivers">
        <Skeleton className="h-9" />
        {Array.from({ length: 6 }, (_, i) => (
          <Skeleton key={i} className="h-16" />
        ))}
      </div>
    );
  }

  const all = query.data.drivers;
  if (!all.length) {
    return (
      <EmptyState icon={<Truck />} title="No drivers yet">
        Drivers appear here once they are added to the CRM; their position shows as soon as their device reports one.
      </EmptyState>
    );
  }

  const counts = Object.fromEntries(STATE_ORDER.map((s) => [s, all.filter((d) => d.state === s).length])) as Record<DriverState, number>;
  const shown = all.filter((d) => (!stateFilter || d.state === stateFilter) && matchesSearch(d, search));
  const selected = all.find((d) => d.id === selectedId) ?? null;

  // grid-cols-1 (minmax(0, 1fr)), not the implicit auto track: a long order line (truncated,
  // no-wrap) must not widen the column past the panel
  return (
    <div className="grid min-w-0 grid-cols-1 gap-3" data-testid="live-panel">
      <div className="flex min-w-0 flex-wrap gap-1.5" role="group" aria-label="Drivers by state">
        {STATE_ORDER.filter((s) => counts[s] > 0 || s !== "unknown").map((s) => {
          const on = stateFilter === s;
          return (
            <Button key={s} variant={on ? "default" : "outline"} size="sm" className="h-7 px-2 text-xs" aria-pressed={on} onClick={() => setStateFilter(on ? null : s)}>
              <span className={cn("inline-block size-2 rounded-full", STATE_STYLE[s].dot)} aria-hidden />
              {STATE_STYLE[s].label}
              <span className="tabular-nums" data-testid={`count-${s}`}>
                {counts[s]}
              </span>
            </Button>
          );
        })}
      </div>

      <div className="grid gap-1.5">
        <Label htmlFor="map-driver-search">Search drivers</Label>
        <div className="relative">
          <Search className="text-muted-foreground pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2" aria-hidden />
          <Input id="map-driver-search" type="search" className="pl-8" placeholder="Name, phone or plate" value={search} onChange={(e) => setSearch(e.target.value)} autoComplete="off" />
        </div>
      </div>

      {selected && (
        <SelectedDriver driver={selected} now={now} following={following} onFollow={onFollow} onStopFollowing={onStopFollowing} onClear={onClear} />
      )}

      {query.isError && (
        <p className="text-destructive text-xs" role="alert">
          Could not refresh the drivers: {(query.error as Error).message}{" "}
          <Button variant="link" size="sm" className="h-auto p-0 text-xs" onClick={() => query.refetch()}>
            Try again
          </Button>
        </p>
      )}

      {shown.length === 0 ? (
        <EmptyState icon={<Search />} title="No drivers match" className="p-6">
          <Button
            variant="outline"
            size="sm"
            className="mt-1"
            onClick={() => {
              setSearch("");
              setStateFilter(null);
            }}
          >
            Clear search
          </Button>
        </EmptyState>
      ) : (
        <ul aria-label="Drivers" className="divide-y rounded-lg border">
          {shown.map((d) => (
            <DriverRow key={d.id} driver={d} now={now} selected={d.id === selectedId} onSelect={onSelect} />
          ))}
        </ul>
      )}
      <p className="text-muted-foreground text-xs">
        {shown.length === all.length ? `${all.length} driver${all.length === 1 ? "" : "s"}` : `${shown.length} of ${all.length} drivers`}
      </p>
    </div>
  );
}

function DriverRow({ driver: d, now, selected, onSelect }: { driver: DriverItem; now: number; selected: boolean; onSelect: (id: string) => void }) {
  const loc = d.location;
  return (
    <li data-driver-id={d.id}>
      <button
        type="button"
        onClick={() => onSelect(d.id)}
        aria-pressed={selected}
        title={`Show ${d.name} on the map`}
        className={cn(
          "hover:bg-accent focus-visible:ring-ring/50 block w-full px-3 py-2 text-left text-sm outline-none first:rounded-t-lg last:rounded-b-lg focus-visible:ring-[3px]",
          selected && "bg-primary/10 hover:bg-primary/15",
        )}
      >
        <span className="flex items-center justify-between gap-2">
          <span className="truncate font-medium">{d.name}</span>
          <StateLabel state={d.state} />
        </span>
        <span className="text-muted-foreground mt-0.5 flex flex-wrap gap-x-3 gap-y-0.5 text-xs">
          <span>{d.vehicle ? d.vehicle.plateNumber : "No vehicle"}</span>
          {loc ? (
            <>
              <span title={`Position from ${formatDateTime(loc.recordedAt)}, received ${formatDateTime(loc.receivedAt)}`}>
                <time dateTime={loc.recordedAt}>{relativeTime(loc.recordedAt, now)}</time>
              </span>
              <span>{formatSpeed(loc.speed)}</span>
            </>
          ) : (
            <span>No position yet</span>
          )}
        </span>
        {d.order && (
          <span className="mt-1 block truncate text-xs" title={`${d.order.pickupAddress ?? "?"} → ${d.order.dropoffAddress ?? "?"}`}>
            <span className="font-medium">Order {d.order.number}</span>
            {(d.order.pickupAddress || d.order.dropoffAddress) && (
              <span className="text-muted-foreground">
                {" "}
                · {d.order.pickupAddress ?? "?"} → {d.order.dropoffAddress ?? "?"}
              </span>
            )}
          </span>
        )}
      </button>
    </li>
  );
}

function SelectedDriver({
  driver: d,
  now,
  following,
  onFollow,
  onStopFollowing,
  onClear,
}: {
  driver: DriverItem;
  now: number;
  following: boolean;
  onFollow: () => void;
  onStopFollowing: () => void;
  onClear: () => void;
}) {
  const loc = d.location;
  return (
    <section aria-label="Selected driver" className="bg-card grid gap-2 rounded-lg border p-3 text-sm">
      <div className="flex items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="truncate font-medium">{d.name}</p>
          <p className="text-muted-foreground text-xs">
            {d.phone}
            {d.vehicle && ` · ${d.vehicle.plateNumber} · ${d.vehicle.make} ${d.vehicle.model}`}
          </p>
        </div>
        <Button variant="ghost" size="icon" className="size-7" aria-label="Clear the selection" onClick={onClear}>
          <X />
        </Button>
      </div>
      {loc ? (
        <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-1 text-xs">
          <dt className="text-muted-foreground">State</dt>
          <dd>
            <StateLabel state={d.state} />
          </dd>
          <dt className="text-muted-foreground">Position</dt>
          <dd className="font-mono tabular-nums" data-testid="selected-coordinates">
            {formatCoords(loc.latitude, loc.longitude)}
          </dd>
          <dt className="text-muted-foreground">Updated</dt>
          <dd title={formatDateTime(loc.recordedAt)}>{relativeTime(loc.recordedAt, now)}</dd>
          <dt className="text-muted-foreground">Speed</dt>
          <dd>
            {formatSpeed(loc.speed)}
            {loc.heading != null && ` · heading ${Math.round(loc.heading)}°`}
          </dd>
          {loc.accuracy != null && (
            <>
              <dt className="text-muted-foreground">Accuracy</dt>
              <dd>±{Math.round(loc.accuracy)} m</dd>
            </>
          )}
          {loc.batteryLevel != null && (
            <>
              <dt className="text-muted-foreground">Battery</dt>
              <dd>{Math.round(loc.batteryLevel)}%</dd>
            </>
          )}
          {d.order && (
            <>
              <dt className="text-muted-foreground">Order</dt>
              <dd className="min-w-0 break-words">
                {d.order.number} · {d.order.pickupAddress ?? "?"} → {d.order.dropoffAddress ?? "?"}
              </dd>
            </>
          )}
        </dl>
      ) : (
        <p className="text-muted-foreground text-xs">No position yet: the map shows this driver once the device reports one.</p>
      )}
      <div className="flex flex-wrap gap-2">
        {loc &&
          (following ? (
            <Button variant="outline" size="sm" onClick={onStopFollowing}>
              <LocateOff /> Stop following
            </Button>
          ) : (
            <Button variant="outline" size="sm" onClick={onFollow}>
              <Crosshair /> Follow
            </Button>
          ))}
        <CallButton target={{ phone: d.phone, name: d.name, driverId: d.id }} />
      </div>
    </section>
  );
}
