"use client";
// Beside the replay map: which drivers and which day, "Show route", the playback (Play/Pause,
// speed, a slider over the day's time span and the replay clock), and per driver the trip's
// statistics and stops (a stop moves the clock to it).
import * as React from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import { Loader2, Pause, Play, Route, Search, Truck } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState } from "@/components/ui/empty-state";
import { Alert, AlertDescription } from "@/components/ui/alert";
import {
  browserTimeZone, clockTime, formatKm, formatSeconds, formatSpeed, localDate, matchesSearch, shortTime, type LiveDrivers,
} from "@/components/map/shared";
import type { DriverHistory } from "@/lib/tracking/contract";

export type ReplayRequest = { ids: string[]; date: string; tz: string; n: number };

export type Playback = {
  start: number;
  end: number;
  clock: number;
  playing: boolean;
  speed: number;
  speeds: readonly number[];
  onToggle: () => void;
  onSpeed: (s: number) => void;
  onSeek: (t: number) => void;
};

export function ReplayPanel({
  query,
  chosen,
  onChosen,
  date,
  onDate,
  onShow,
  shown,
  histories,
  colors,
  names,
  playback,
}: {
  query: UseQueryResult<LiveDrivers>;
  chosen: string[];
  onChosen: (ids: string[]) => void;
  date: string;
  onDate: (d: string) => void;
  onShow: (r: ReplayRequest) => void;
  shown: ReplayRequest | null;
  histories: UseQueryResult<DriverHistory>[];
  colors: string[];
  names: Map<string, string>;
  playback: Playback | null;
}) {
  const [filter, setFilter] = React.useState("");
  const [problem, setProblem] = React.useState<string | null>(null);
  const today = localDate();
  const drivers = query.data?.drivers ?? [];
  const visible = drivers.filter((d) => matchesSearch(d, filter));

  const toggle = (id: string, on: boolean) => onChosen(on ? [...new Set([...chosen, id])] : chosen.filter((x) => x !== id));

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const ids = chosen.filter((id) => drivers.some((d) => d.id === id));
    if (!ids.length) return setProblem("Choose at least one driver");
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return setProblem("Choose a day");
    if (date > today) return setProblem("That day has not happened yet");
    setProblem(null);
    onShow({ ids, date, tz: browserTimeZone(), n: (shown?.n ?? 0) + 1 });
  };

  const loading = histories.some((h) => h.isFetching);

  return (
    <div className="grid min-w-0 grid-cols-1 gap-3">
      <form onSubmit={submit} className="grid gap-3 rounded-lg border p-3" aria-label="Route to replay" noValidate>
        <fieldset className="grid gap-2">
          <legend className="mb-1 text-sm font-medium">Drivers</legend>
          {query.isError && !query.data ? (
            <Alert variant="destructive">
              <AlertDescription>
                Could not load the drivers: {(query.error as Error).message}
                <Button type="button" variant="outline" size="sm" onClick={() => query.refetch()}>
                  Try again
                </Button>
              </AlertDescription>
            </Alert>
          ) : query.isPending ? (
            <div className="grid gap-2" aria-label="Loading drivers">
              {Array.from({ length: 4 }, (_, i) => (
                <Skeleton key={i} className="h-6" />
              ))}
            </div>
          ) : drivers.length === 0 ? (
            <EmptyState icon={<Truck />} title="No drivers yet" className="p-6" />
          ) : (
            <>
              {drivers.length > 6 && (
                <div className="relative">
                  <Search className="text-muted-foreground pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2" aria-hidden />
                  <Input type="search" aria-label="Find a driver to replay" placeholder="Find a driver" className="pl-8" value={filter} onChange={(e) => setFilter(e.target.value)} />
                </div>
              )}
              <ul className="grid max-h-56 gap-1 overflow-y-auto" aria-label="Drivers to replay">
                {visible.map((d) => {
                  const id = `replay-driver-${d.id}`;
                  return (
                    <li key={d.id} className="flex items-center gap-2">
                      <Checkbox id={id} checked={chosen.includes(d.id)} onCheckedChange={(v) => toggle(d.id, v === true)} />
                      <Label htmlFor={id} className="min-w-0 cursor-pointer py-1 font-normal">
                        <span className="truncate">{d.name}</span>
                      </Label>
                      {d.vehicle && <span className="text-muted-foreground ml-auto shrink-0 text-xs">{d.vehicle.plateNumber}</span>}
                    </li>
                  );
                })}
                {visible.length === 0 && <li className="text-muted-foreground text-xs">No drivers match “{filter}”.</li>}
              </ul>
              {chosen.length > 0 && (
                <Button type="button" variant="link" size="sm" className="h-auto justify-self-start p-0 text-xs" onClick={() => onChosen([])}>
                  Clear the choice ({chosen.length})
                </Button>
              )}
            </>
          )}
        </fieldset>
        <div className="grid gap-1.5">
          <Label htmlFor="replay-date">Day</Label>
          <Input id="replay-date" type="date" value={date} max={today} onChange={(e) => onDate(e.target.value)} required />
        </div>
        {problem && (
          <p className="text-destructive text-sm" role="alert">
            {problem}
          </p>
        )}
        <Button type="submit" className="justify-self-start" disabled={query.isPending}>
          {loading ? <Loader2 className="animate-spin" /> : <Route />} Show route
        </Button>
      </form>

      {!shown ? (
        <p className="text-muted-foreground text-sm">Choose one or more drivers and a day, then Show route.</p>
      ) : (
        <>
          {playback && <PlaybackControls p={playback} />}
          {histories.length > 0 && !histories.some((h) => h.isPending) && !playback && !histories.some((h) => h.isError) && (
            <EmptyState icon={<Route />} title="Nothing to replay" className="p-6">
              {shown.ids.length === 1 ? "This driver reported no positions that day." : "These drivers reported no positions that day."}
            </EmptyState>
          )}
          <div className="grid gap-3" aria-label="Routes" role="list">
            {shown.ids.map((id, i) => (
              <RouteCard
                key={id}
                name={names.get(id) ?? "Driver"}
                color={colors[i]}
                date={shown.date}
                q={histories[i]}
                onSeek={playback ? playback.onSeek : undefined}
              />
            ))}
          </div>
        </>
      )}
    </div>
  );
}

function PlaybackControls({ p }: { p: Playback }) {
  const value = p.start + Math.round((p.clock - p.start) / 1000) * 1000;
  return (
    <section aria-label="Playback" className="grid gap-3 rounded-lg border p-3">
      <div className="flex flex-wrap items-end gap-3">
        <Button type="button" onClick={p.onToggle} className="w-24">
          {p.playing ? <Pause /> : <Play />}
          {p.playing ? "Pause" : "Play"}
        </Button>
        <div className="grid gap-1">
          <span className="text-muted-foreground text-xs" id="replay-clock-label">
            Replay time
          </span>
          <output aria-labelledby="replay-clock-label" className="font-mono text-lg leading-none tabular-nums" data-testid="replay-clock">
            {clockTime(p.clock)}
          </output>
        </div>
        <div className="ml-auto grid gap-1">
          <Label htmlFor="replay-speed" className="text-xs">
            Playback speed
          </Label>
          <NativeSelect id="replay-speed" value={String(p.speed)} onChange={(e) => p.onSpeed(Number(e.target.value))} className="w-24">
            {p.speeds.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </NativeSelect>
        </div>
      </div>
      <div className="grid gap-1">
        <Label htmlFor="replay-position" className="text-xs">
          Replay position
        </Label>
        <input
          id="replay-position"
          type="range"
          min={p.start}
          max={p.end}
          step={1000}
          value={Math.min(p.end, value)}
          aria-valuetext={clockTime(p.clock)}
          onChange={(e) => p.onSeek(Number(e.target.value))}
          className="accent-primary w-full"
        />
        <div className="text-muted-foreground flex justify-between text-xs tabular-nums">
          <span>{shortTime(p.start)}</span>
          <span>{shortTime(p.end)}</span>
        </div>
      </div>
    </section>
  );
}

function RouteCard({
  name,
  color,
  date,
  q,
  onSeek,
}: {
  name: string;
  color: string;
  date: string;
  q: UseQueryResult<DriverHistory> | undefined;
  onSeek?: (t: number) => void;
}) {
  const dayLabel = new Date(`${date}T12:00:00`).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
  return (
    <section aria-label={`Route of ${name}`} role="listitem" className="grid gap-2 rounded-lg border p-3 text-sm">
      <header className="flex items-center gap-2">
        <span className="inline-block h-1.5 w-5 shrink-0 rounded-full" style={{ background: color }} aria-hidden />
        <h3 className="truncate font-medium">{name}</h3>
        <span className="text-muted-foreground ml-auto shrink-0 text-xs">{dayLabel}</span>
      </header>
      {!q || q.isPending ? (
        <Skeleton className="h-24" aria-label={`Loading the route of ${name}`} />
      ) : q.isError ? (
        <Alert variant="destructive">
          <AlertDescription>
            Could not load the route: {(q.error as Error).message}
            <Button variant="outline" size="sm" onClick={() => q.refetch()}>
              Try again
            </Button>
          </AlertDescription>
        </Alert>
      ) : q.data.points.length === 0 ? (
        <p className="text-muted-foreground text-sm">No positions on this day.</p>
      ) : (
        <RouteStats h={q.data} name={name} onSeek={onSeek} />
      )}
    </section>
  );
}

function RouteStats({ h, name, onSeek }: { h: DriverHistory; name: string; onSeek?: (t: number) => void }) {
  const s = h.stats;
  const first = s.startedAt ?? h.points[0]?.recordedAt;
  const last = s.endedAt ?? h.points[h.points.length - 1]?.recordedAt;
  return (
    <>
      <dl className="grid grid-cols-2 gap-x-4 gap-y-1.5 text-xs">
        <div>
          <dt className="text-muted-foreground">Distance</dt>
          <dd className="text-sm font-medium tabular-nums" data-testid="route-distance" data-meters={s.distanceMeters}>
            {formatKm(s.distanceMeters)}
          </dd>
        </div>
        <div>
          <dt className="text-muted-foreground">Time span</dt>
          <dd className="text-sm tabular-nums">
            {first && last ? `${shortTime(first)}–${shortTime(last)}` : "—"}
          </dd>
        </div>
        <div>
          <dt className="text-muted-foreground">Moving</dt>
          <dd className="tabular-nums">{formatSeconds(s.movingSeconds)}</dd>
        </div>
        <div>
          <dt className="text-muted-foreground">Stopped</dt>
          <dd className="tabular-nums">{formatSeconds(s.stoppedSeconds)}</dd>
        </div>
        <div>
          <dt className="text-muted-foreground">Max speed</dt>
          <dd className="tabular-nums">{formatSpeed(s.maxSpeedKmh)}</dd>
        </div>
        <div>
          <dt className="text-muted-foreground">Average speed</dt>
          <dd className="tabular-nums">{formatSpeed(s.averageSpeedKmh)}</dd>
        </div>
        <div className="col-span-2">
          <dt className="text-muted-foreground">Points</dt>
          <dd className="tabular-nums">
            {s.rawPoints} recorded · {s.simplifiedPoints} drawn
          </dd>
        </div>
      </dl>
      <div className="grid gap-1">
        <h4 className="text-xs font-medium">{h.stops.length ? `Stops (${h.stops.length})` : "No stops"}</h4>
        {h.stops.length > 0 && (
          <ol aria-label={`Stops of ${name}`} className="grid gap-0.5 text-xs">
            {h.stops.map((st) => (
              <li key={st.from}>
                {onSeek ? (
                  <button
                    type="button"
                    className="hover:bg-accent w-full rounded px-1.5 py-0.5 text-left tabular-nums"
                    onClick={() => onSeek(Date.parse(st.from))}
                    title="Move the replay to this stop"
                  >
                    {shortTime(st.from)}–{shortTime(st.to)} · {formatSeconds(st.durationSeconds)}
                  </button>
                ) : (
                  <span className="px-1.5 tabular-nums">
                    {shortTime(st.from)}–{shortTime(st.to)} · {formatSeconds(st.durationSeconds)}
                  </span>
                )}
              </li>
            ))}
          </ol>
        )}
      </div>
    </>
  );
}
