"use client";
// The dispatcher's map. Live: every driver from GET /api/v1/tracking/drivers, kept current by
// the position stream (merged into the query cache as events arrive; a driver gone quiet turns
// offline on its own), a searchable list beside the map, click to fly to a driver and follow it.
// Replay: a day's route for one or more drivers, with statistics, stops and a playback clock.
// One Leaflet map serves both tabs; it is loaded in the browser only. Read-only for every role.
import * as React from "react";
import dynamic from "next/dynamic";
import { useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/client/api";
import { cn } from "@/lib/utils";
import { PageHeader } from "@/components/layout/app-shell";
import { Skeleton } from "@/components/ui/skeleton";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { LivePanel } from "@/components/map/live-panel";
import { ReplayPanel, type ReplayRequest } from "@/components/map/replay-panel";
import { usePositionStream, type StreamStatus } from "@/components/map/use-position-stream";
import type { ReplayRoute } from "@/components/map/map-canvas";
import {
  DRIVERS_KEY, ROUTE_COLORS, applyPosition, expireStale, localDate, mergeSnapshot, positionAt, replayTimeline, type LiveDrivers,
} from "@/components/map/shared";
import type { DriverHistory, DriversSnapshot, PositionEvent } from "@/lib/tracking/contract";

const MapCanvas = dynamic(() => import("@/components/map/map-canvas"), {
  ssr: false,
  loading: () => <Skeleton className="h-full w-full rounded-lg" aria-label="Loading the map" />,
});

export type MapConfig = {
  tileUrl: string;
  tileAttribution: string;
  center: [number, number];
  zoom: number;
  offlineAfterSeconds: number;
  movingSpeedKmh: number;
};

const STALE_CHECK_MS = 15_000;
const SPEEDS = [1, 5, 10, 30, 60] as const;
const TICK_MS = 100;
/** The followed driver's trail: this many minutes back, at most this many points. */
const TRAIL_MINUTES = 60;
const TRAIL_POINTS = 300;
type TrailPoint = { t: number; lat: number; lng: number };

export function MapPage({ config }: { config: MapConfig }) {
  const qc = useQueryClient();
  const [tab, setTab] = React.useState<"live" | "replay">("live");

  // ── live ──
  const pending = React.useRef<PositionEvent[]>([]);
  const movingSpeed = React.useCallback((d?: { movingSpeedKmh?: number }) => d?.movingSpeedKmh ?? config.movingSpeedKmh, [config.movingSpeedKmh]);

  const onPosition = React.useCallback(
    (e: PositionEvent) => {
      const cur = qc.getQueryData<LiveDrivers>(DRIVERS_KEY);
      if (!cur) {
        // the snapshot is on its way: apply this on top of it when it lands
        pending.current.push(e);
        if (pending.current.length > 5000) pending.current.shift();
        return;
      }
      const next = applyPosition(cur, e, movingSpeed(cur));
      if (!next) void qc.invalidateQueries({ queryKey: DRIVERS_KEY }); // a driver the list does not have yet
      else if (next !== cur) qc.setQueryData(DRIVERS_KEY, next);
    },
    [qc, movingSpeed],
  );
  const onResync = React.useCallback(() => void qc.invalidateQueries({ queryKey: DRIVERS_KEY }), [qc]);
  const stream = usePositionStream("/api/v1/tracking/stream", { onPosition, onResync });

  const drivers = useQuery({
    queryKey: DRIVERS_KEY,
    queryFn: async () => {
      const res = await api<DriversSnapshot>("/api/v1/tracking/drivers");
      const fresh = { ...res, offlineAfterSeconds: res.offlineAfterSeconds ?? config.offlineAfterSeconds };
      const ms = movingSpeed(fresh);
      let merged = mergeSnapshot(fresh, qc.getQueryData<LiveDrivers>(DRIVERS_KEY), ms);
      for (const e of pending.current.splice(0)) merged = applyPosition(merged, e, ms) ?? merged;
      return merged;
    },
    // the stream keeps positions current; the snapshot still brings new drivers and orders
    refetchInterval: stream === "live" ? 60_000 : 15_000,
  });

  // a device that goes quiet sends nothing: look for drivers to turn offline every few seconds
  React.useEffect(() => {
    const id = setInterval(() => {
      const cur = qc.getQueryData<LiveDrivers>(DRIVERS_KEY);
      if (!cur) return;
      const next = expireStale(cur);
      if (next !== cur) qc.setQueryData(DRIVERS_KEY, next);
    }, STALE_CHECK_MS);
    return () => clearInterval(id);
  }, [qc]);

  const list = drivers.data?.drivers;
  const [selectedId, setSelectedId] = React.useState<string | null>(null);
  const [following, setFollowing] = React.useState(false);
  const [flyToken, setFlyToken] = React.useState(0);
  const select = React.useCallback((id: string) => {
    setSelectedId(id);
    setFollowing(true);
    setFlyToken((n) => n + 1);
  }, []);
  const stopFollowing = React.useCallback(() => setFollowing(false), []);

  // ── the picked driver's recent trail: the last hour from the history, then what the stream brings ──
  const selectedDriver = list?.find((d) => d.id === selectedId) ?? null;
  const trailHistory = useQuery({
    queryKey: ["tracking", "trail", selectedId],
    queryFn: () => {
      const now = Date.now();
      const q = new URLSearchParams({
        driverId: selectedId!,
        from: new Date(now - TRAIL_MINUTES * 60_000).toISOString(),
        to: new Date(now + 60_000).toISOString(),
        maxPoints: String(TRAIL_POINTS),
      });
      return api<DriverHistory>(`/api/v1/tracking/history?${q}`);
    },
    enabled: !!selectedId && tab === "live",
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  const [liveTail, setLiveTail] = React.useState<{ id: string | null; points: TrailPoint[] }>({ id: null, points: [] });
  const loc = selectedDriver?.location;
  if (selectedId !== liveTail.id) setLiveTail({ id: selectedId, points: [] });
  else if (loc && !liveTail.points.some((p) => p.t === Date.parse(loc.recordedAt))) {
    setLiveTail({ id: selectedId, points: [...liveTail.points, { t: Date.parse(loc.recordedAt), lat: loc.latitude, lng: loc.longitude }].slice(-TRAIL_POINTS) });
  }
  const trail = React.useMemo(() => {
    const fromHistory = (trailHistory.data?.points ?? []).map((p) => ({ t: Date.parse(p.recordedAt), lat: p.latitude, lng: p.longitude }));
    const lastT = fromHistory.length ? fromHistory[fromHistory.length - 1].t : -Infinity;
    const all = [...fromHistory, ...liveTail.points.filter((p) => p.t > lastT)].sort((a, b) => a.t - b.t).slice(-TRAIL_POINTS);
    return all.map((p) => [p.lat, p.lng] as [number, number]);
  }, [trailHistory.data, liveTail]);

  // ── replay ──
  const [replayIds, setReplayIds] = React.useState<string[]>([]);
  const [replayDate, setReplayDate] = React.useState(() => localDate());
  const [shown, setShown] = React.useState<ReplayRequest | null>(null);
  const histories = useQueries({
    queries: (shown?.ids ?? []).map((id) => ({
      queryKey: ["tracking", "history", id, shown!.date, shown!.tz],
      queryFn: () => api<DriverHistory>(`/api/v1/tracking/history?${new URLSearchParams({ driverId: id, date: shown!.date, tz: shown!.tz })}`),
      refetchOnWindowFocus: false,
      staleTime: 30_000,
    })),
  });
  const showRoutes = React.useCallback(
    (req: ReplayRequest) => {
      setShown(req);
      // "Show route" again brings today's route up to date
      void qc.invalidateQueries({ queryKey: ["tracking", "history"] });
    },
    [qc],
  );

  const names = React.useMemo(() => new Map((list ?? []).map((d) => [d.id, d.name])), [list]);
  const dataStamp = histories.map((h) => h.dataUpdatedAt).join(",");
  const routeData = React.useMemo(() => {
    const out: { route: ReplayRoute; line: ReturnType<typeof replayTimeline> }[] = [];
    (shown?.ids ?? []).forEach((id, i) => {
      const h = histories[i]?.data;
      if (!h || !h.points.length) return;
      const color = ROUTE_COLORS[i % ROUTE_COLORS.length];
      out.push({
        route: {
          driverId: id,
          name: names.get(id) ?? "Driver",
          color,
          line: h.points.map((p) => [p.latitude, p.longitude]),
          stops: h.stops.map((s) => ({ ...s, center: [s.latitude, s.longitude] as [number, number] })),
          lineStyle: { color, weight: 4, opacity: 0.85 },
          stopStyle: { color, weight: 3, fillColor: "#ffffff", fillOpacity: 1 },
        },
        line: replayTimeline(h),
      });
    });
    return out;
    // `histories` is a new array on every render: dataStamp is what changes when their data does
  }, [shown, dataStamp, names]); // eslint-disable-line react-hooks/exhaustive-deps
  const routes = React.useMemo(() => routeData.map((r) => r.route), [routeData]);
  const routesKey = shown && routeData.length ? `${shown.n}|${dataStamp}` : "";

  const span = React.useMemo(() => {
    const starts = routeData.filter((r) => r.line.length).map((r) => r.line[0].t);
    const ends = routeData.filter((r) => r.line.length).map((r) => r.line[r.line.length - 1].t);
    return starts.length ? { start: Math.min(...starts), end: Math.max(...ends) } : null;
  }, [routeData]);

  const [clock, setClock] = React.useState(0);
  const [playing, setPlaying] = React.useState(false);
  const [speed, setSpeed] = React.useState<number>(10);
  // a new set of routes: back to its start, paused
  const [clockFor, setClockFor] = React.useState("");
  if (routesKey !== clockFor) {
    setClockFor(routesKey);
    setClock(span?.start ?? 0);
    setPlaying(false);
  }
  if (playing && span && clock >= span.end) setPlaying(false);

  React.useEffect(() => {
    if (!playing || !span) return;
    let last = performance.now();
    const id = setInterval(() => {
      const now = performance.now();
      const dt = now - last;
      last = now;
      setClock((t) => Math.min(span.end, Math.max(span.start, t) + dt * speed));
    }, TICK_MS);
    return () => clearInterval(id);
  }, [playing, speed, span]);

  const togglePlay = React.useCallback(() => {
    if (!span) return;
    if (playing) return setPlaying(false);
    if (clock >= span.end) setClock(span.start);
    setPlaying(true);
  }, [playing, clock, span]);

  const replayPositions = React.useMemo(() => {
    const out: Record<string, [number, number] | null> = {};
    for (const r of routeData) out[r.route.driverId] = positionAt(r.line, clock);
    return out;
  }, [routeData, clock]);

  return (
    <>
      <PageHeader
        title="Map"
        description="Where the drivers are now, as their devices report it, and the route any of them drove on a given day."
        actions={<StreamIndicator status={stream} mode={tab} />}
      />
      <Tabs value={tab} onValueChange={(v) => setTab(v === "replay" ? "replay" : "live")} className="gap-0">
        <div className="grid gap-4 lg:grid-cols-[minmax(300px,380px)_1fr]">
          <div className="order-2 flex min-w-0 flex-col gap-3 lg:order-1 lg:max-h-[calc(100dvh-13rem)] lg:overflow-y-auto lg:pr-1">
            <TabsList aria-label="Map mode" className="w-full">
              <TabsTrigger value="live">Live</TabsTrigger>
              <TabsTrigger value="replay">Replay</TabsTrigger>
            </TabsList>
            <TabsContent value="live" className="min-w-0">
              <LivePanel
                query={drivers}
                clockOffsetMs={drivers.data?.clockOffsetMs ?? 0}
                selectedId={selectedId}
                following={following}
                onSelect={select}
                onFollow={() => {
                  setFollowing(true);
                }}
                onStopFollowing={stopFollowing}
                onClear={() => {
                  setSelectedId(null);
                  setFollowing(false);
                }}
              />
            </TabsContent>
            <TabsContent value="replay" className="min-w-0">
              <ReplayPanel
                query={drivers}
                chosen={replayIds}
                onChosen={setReplayIds}
                date={replayDate}
                onDate={setReplayDate}
                onShow={showRoutes}
                shown={shown}
                histories={histories}
                colors={(shown?.ids ?? []).map((_, i) => ROUTE_COLORS[i % ROUTE_COLORS.length])}
                names={names}
                playback={
                  span
                    ? {
                        start: span.start,
                        end: span.end,
                        clock,
                        playing,
                        speed,
                        speeds: SPEEDS,
                        onToggle: togglePlay,
                        onSpeed: setSpeed,
                        onSeek: (t) => setClock(Math.min(span.end, Math.max(span.start, t))),
                      }
                    : null
                }
              />
            </TabsContent>
          </div>
          <div className="order-1 h-[60vh] min-h-[360px] lg:order-2 lg:h-[calc(100dvh-13rem)] lg:min-h-[480px]">
            <MapCanvas
              tileUrl={config.tileUrl}
              tileAttribution={config.tileAttribution}
              center={config.center}
              zoom={config.zoom}
              mode={tab}
              drivers={list ?? NO_DRIVERS}
              selectedId={selectedId}
              following={following}
              flyToken={flyToken}
              onSelect={select}
              onUserMove={stopFollowing}
              trail={tab === "live" && selectedId ? trail : NO_TRAIL}
              routes={routes}
              replayPositions={replayPositions}
              routesKey={routesKey}
            />
          </div>
        </div>
      </Tabs>
    </>
  );
}

const NO_DRIVERS: never[] = [];
const NO_TRAIL: [number, number][] = [];

function StreamIndicator({ status, mode }: { status: StreamStatus; mode: "live" | "replay" }) {
  // the map shows a past day in Replay: nothing on it is live, whatever the stream does
  if (mode === "replay") {
    return (
      <span
        role="status"
        aria-live="polite"
        title="The map shows a past route; the Live tab shows where the drivers are now"
        className="text-muted-foreground inline-flex items-center gap-2 rounded-md border px-2.5 py-1 text-sm"
        data-testid="stream-status"
      >
        <span className="bg-muted-foreground/40 relative inline-flex size-2.5 rounded-full" aria-hidden />
        Replay
      </span>
    );
  }
  const text = status === "live" ? "Live" : status === "connecting" ? "Connecting…" : "Reconnecting…";
  return (
    <span
      role="status"
      aria-live="polite"
      title={status === "live" ? "Positions arrive as the drivers' devices send them" : "The live updates are interrupted; trying again"}
      className="text-muted-foreground inline-flex items-center gap-2 rounded-md border px-2.5 py-1 text-sm"
      data-testid="stream-status"
    >
      <span className="relative flex size-2.5" aria-hidden>
        {status === "live" && <span className="absolute inline-flex size-full animate-ping rounded-full bg-emerald-400 opacity-60" />}
        <span className={cn("relative inline-flex size-2.5 rounded-full", status === "live" ? "bg-emerald-500" : "bg-amber-500")} />
      </span>
      {text}
    </span>
  );
}
