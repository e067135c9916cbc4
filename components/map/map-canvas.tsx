"use client";
// The Leaflet map itself (loaded with next/dynamic, ssr: false: Leaflet needs `window`).
// Live: a dot per driver coloured by state (with a heading arrow while moving), clustered only
// when there are many; the selected driver is flown to and followed until the map is dragged.
// Replay: each route as a line in its own colour, its stops, and a marker per driver at the
// replay clock. Tiles are optional: without them (none configured, offline, blocked) the
// drivers and routes still draw on a plain background, and a small notice says why.
import "leaflet/dist/leaflet.css";
import "leaflet.markercluster/dist/MarkerCluster.css";
import "leaflet.markercluster/dist/MarkerCluster.Default.css";
import * as React from "react";
import L from "leaflet";
import { CircleMarker, MapContainer, Marker, Polyline, TileLayer, Tooltip, useMap, useMapEvents } from "react-leaflet";
import MarkerClusterGroup from "react-leaflet-cluster";
import { ImageOff, X } from "lucide-react";
import { STATE_STYLE, formatSeconds, formatSpeed, shortTime } from "@/components/map/shared";
import type { DriverItem, DriverState, HistoryStop } from "@/lib/tracking/contract";

/** Leaflet's own stylesheet paints the container #ddd (unlayered CSS beats Tailwind's classes): follow the theme instead. */
const MAP_STYLE: React.CSSProperties = { background: "var(--muted)" };

/** More located drivers than this: cluster them. */
const CLUSTER_FROM = 40;

export type ReplayRoute = {
  driverId: string;
  name: string;
  color: string;
  line: [number, number][];
  stops: (HistoryStop & { center: [number, number] })[];
  lineStyle: L.PathOptions;
  stopStyle: L.PathOptions;
};

export type MapCanvasProps = {
  tileUrl: string;
  tileAttribution: string;
  center: [number, number];
  zoom: number;
  mode: "live" | "replay";
  drivers: DriverItem[];
  selectedId: string | null;
  following: boolean;
  /** bumped when a driver is picked in the list: fly to it even if it was already selected */
  flyToken: number;
  onSelect: (id: string) => void;
  /** the user dragged the map: stop following */
  onUserMove: () => void;
  /** the picked driver's recent positions, oldest first (live mode) */
  trail: [number, number][];
  routes: ReplayRoute[];
  /** where each replayed driver is at the replay clock */
  replayPositions: Record<string, [number, number] | null>;
  /** changes when a new set of routes is shown: fit the map to them */
  routesKey: string;
};

const ARROW: Record<DriverState, string> = {
  moving: "border-b-emerald-600",
  stopped: "border-b-amber-600",
  offline: "border-b-zinc-500",
  unknown: "border-b-slate-400",
};

/** A div icon (no image URLs) whose element carries the driver's id, state, position and name for people and tests. */
function driverIcon(o: { id: string; label: string; state: DriverState; heading: number | null; selected: boolean; lat: number; lng: number }): L.DivIcon {
  const s = STATE_STYLE[o.state];
  const arrow =
    o.heading != null
      ? `<span class="absolute inset-0" style="transform:rotate(${o.heading}deg)"><span class="absolute -top-[3px] left-1/2 -translate-x-1/2 border-x-[5px] border-b-[7px] border-x-transparent ${ARROW[o.state]}"></span></span>`
      : "";
  const ring = o.selected ? " ring-2 ring-sky-500 ring-offset-1 ring-offset-white" : "";
  const faded = o.state === "offline" ? " opacity-70" : "";
  const html = `<span class="relative flex size-6 items-center justify-center${faded}">${arrow}<span class="block size-4 rounded-full border-2 border-white shadow-md ${s.dot}${ring}"></span></span>`;
  const icon = L.divIcon({ html, className: "sb-driver-marker", iconSize: [24, 24], iconAnchor: [12, 12] });
  const create = icon.createIcon.bind(icon);
  icon.createIcon = (old?: HTMLElement) => {
    const el = create(old);
    el.setAttribute("data-driver-id", o.id);
    el.setAttribute("data-state", o.state);
    el.setAttribute("data-lat", String(o.lat));
    el.setAttribute("data-lng", String(o.lng));
    el.setAttribute("title", o.label);
    el.setAttribute("aria-label", o.label);
    if (o.selected) el.setAttribute("aria-current", "true");
    else el.removeAttribute("aria-current");
    return el;
  };
  return icon;
}

function replayIcon(o: { id: string; name: string; color: string }): L.DivIcon {
  const html = `<span class="block size-4 rounded-full border-[3px] border-white shadow-md" style="background:${o.color}"></span>`;
  const icon = L.divIcon({ html, className: "sb-replay-marker", iconSize: [16, 16], iconAnchor: [8, 8] });
  const create = icon.createIcon.bind(icon);
  icon.createIcon = (old?: HTMLElement) => {
    const el = create(old);
    el.setAttribute("data-driver-id", o.id);
    el.setAttribute("data-replay", "true");
    el.setAttribute("title", `${o.name} (replay)`);
    el.setAttribute("aria-label", `${o.name} (replay)`);
    return el;
  };
  return icon;
}

const DriverMarker = React.memo(function DriverMarker({ driver, selected, onSelect }: { driver: DriverItem; selected: boolean; onSelect: (id: string) => void }) {
  const loc = driver.location!;
  const lat = Number(loc.latitude);
  const lng = Number(loc.longitude);
  const position = React.useMemo<[number, number]>(() => [lat, lng], [lat, lng]);
  const heading = driver.state === "moving" && loc.heading != null ? Math.round(loc.heading / 5) * 5 : null;
  const label = `${driver.name}: ${STATE_STYLE[driver.state].label}${driver.state === "moving" && loc.speed != null ? `, ${formatSpeed(loc.speed)}` : ""}`;
  const icon = React.useMemo(
    () => driverIcon({ id: driver.id, label, state: driver.state, heading, selected, lat, lng }),
    [driver.id, label, driver.state, heading, selected, lat, lng],
  );
  const handlers = React.useMemo<L.LeafletEventHandlerFnMap>(
    () => ({
      click: () => onSelect(driver.id),
      keypress: (e) => {
        if ((e as L.LeafletKeyboardEvent).originalEvent?.key === "Enter") onSelect(driver.id);
      },
    }),
    [driver.id, onSelect],
  );
  return (
    <Marker position={position} icon={icon} eventHandlers={handlers} keyboard zIndexOffset={selected ? 1000 : 0}>
      {/* the picked driver is named on the map, so a lone dot on a plain background still says who it is */}
      {selected && (
        <Tooltip permanent direction="top" offset={[0, -12]} className="sb-driver-label">
          {driver.name}
        </Tooltip>
      )}
    </Marker>
  );
});

function LiveMarkers({ drivers, selectedId, onSelect }: { drivers: DriverItem[]; selectedId: string | null; onSelect: (id: string) => void }) {
  const located = drivers.filter((d) => d.location);
  const markers = located.map((d) => <DriverMarker key={d.id} driver={d} selected={d.id === selectedId} onSelect={onSelect} />);
  if (located.length < CLUSTER_FROM) return <>{markers}</>;
  return (
    <MarkerClusterGroup chunkedLoading showCoverageOnHover={false} maxClusterRadius={50} disableClusteringAtZoom={16} spiderfyOnMaxZoom>
      {markers}
    </MarkerClusterGroup>
  );
}

/** Fly to the picked driver; while following, keep it in the middle as it moves. */
function Follow({ target, following, flyToken, active }: { target: [number, number] | null; following: boolean; flyToken: number; active: boolean }) {
  const map = useMap();
  const flown = React.useRef(0);
  const lat = target?.[0];
  const lng = target?.[1];
  React.useEffect(() => {
    if (!active || lat == null || lng == null) return;
    if (flyToken !== flown.current) {
      flown.current = flyToken;
      map.flyTo([lat, lng], Math.max(map.getZoom(), 15), { duration: 0.6 });
      return;
    }
    if (following) map.panTo([lat, lng], { animate: true, duration: 0.4 });
  }, [map, lat, lng, following, flyToken, active]);
  return null;
}

/** The user dragged the map themselves (programmatic moves do not fire dragstart). */
function UserMoves({ onUserMove }: { onUserMove: () => void }) {
  useMapEvents({ dragstart: onUserMove });
  return null;
}

/** Once the first positions arrive, show them all (unless a driver was already picked). */
function FitDriversOnce({ drivers, skip, active }: { drivers: DriverItem[]; skip: boolean; active: boolean }) {
  const map = useMap();
  const done = React.useRef(false);
  const points = React.useMemo(() => drivers.filter((d) => d.location).map((d) => [d.location!.latitude, d.location!.longitude] as [number, number]), [drivers]);
  React.useEffect(() => {
    if (!active || done.current || !points.length) return;
    done.current = true;
    if (skip) return;
    if (points.length === 1) map.setView(points[0], Math.max(map.getZoom(), 13));
    else map.fitBounds(points, { padding: [40, 40], maxZoom: 14 });
  }, [map, points, skip, active]);
  return null;
}

function FitRoutes({ routes, routesKey }: { routes: ReplayRoute[]; routesKey: string }) {
  const map = useMap();
  const fitted = React.useRef("");
  React.useEffect(() => {
    if (!routesKey || fitted.current === routesKey) return;
    const all = routes.flatMap((r) => r.line);
    if (!all.length) return;
    fitted.current = routesKey;
    if (all.length === 1) map.setView(all[0], Math.max(map.getZoom(), 15));
    else map.fitBounds(all, { padding: [40, 40], maxZoom: 16 });
  }, [map, routes, routesKey]);
  return null;
}

/** Leaflet measures its box once: tell it when the box changes (sidebar, window, tab switch). */
function AutoResize() {
  const map = useMap();
  React.useEffect(() => {
    if (typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => map.invalidateSize());
    ro.observe(map.getContainer());
    return () => ro.disconnect();
  }, [map]);
  return null;
}

const TRAIL_STYLE: L.PathOptions = { color: "#0ea5e9", weight: 4, opacity: 0.7, dashArray: "6 6" };

/** Where the picked driver has been lately: a dashed line ending at the marker. */
function Trail({ points }: { points: [number, number][] }) {
  if (points.length < 2) return null;
  // className as a prop: react-leaflet applies pathOptions with setStyle, which ignores it
  return <Polyline positions={points} pathOptions={TRAIL_STYLE} className="sb-trail" interactive={false} />;
}

const RouteLayers = React.memo(function RouteLayers({ routes }: { routes: ReplayRoute[] }) {
  return (
    <>
      {routes.map((r) => (
        <React.Fragment key={r.driverId}>
          {r.line.length > 1 && <Polyline positions={r.line} pathOptions={r.lineStyle} />}
          {r.stops.map((s) => (
            <CircleMarker key={`${s.from}`} center={s.center} radius={7} pathOptions={r.stopStyle}>
              <Tooltip direction="top" offset={[0, -6]}>
                {r.name}: stopped {shortTime(s.from)}–{shortTime(s.to)} ({formatSeconds(s.durationSeconds)})
              </Tooltip>
            </CircleMarker>
          ))}
        </React.Fragment>
      ))}
    </>
  );
});

function ReplayMarker({ route, position }: { route: ReplayRoute; position: [number, number] }) {
  const icon = React.useMemo(() => replayIcon({ id: route.driverId, name: route.name, color: route.color }), [route.driverId, route.name, route.color]);
  return (
    <Marker position={position} icon={icon} keyboard={false} zIndexOffset={2000}>
      <Tooltip direction="top" offset={[0, -8]}>
        {route.name}
      </Tooltip>
    </Marker>
  );
}

export default function MapCanvas(props: MapCanvasProps) {
  const { tileUrl, tileAttribution, center, zoom, mode, drivers, selectedId, following, flyToken, onSelect, onUserMove, trail, routes, replayPositions, routesKey } = props;
  const [tileError, setTileError] = React.useState(false);
  const [dismissed, setDismissed] = React.useState(false);
  const tileEvents = React.useMemo<L.LeafletEventHandlerFnMap>(() => ({ tileerror: () => setTileError(true) }), []);
  const selected = drivers.find((d) => d.id === selectedId);
  const target = React.useMemo<[number, number] | null>(
    () => (selected?.location ? [selected.location.latitude, selected.location.longitude] : null),
    [selected?.location],
  );

  const notice = tileError && !dismissed;
  return (
    <div className="flex h-full w-full flex-col gap-2">
      {/* above the map, never over it: markers near the top edge stay visible and clickable */}
      {notice && (
        <div role="status" className="bg-muted/60 text-muted-foreground flex shrink-0 items-center gap-2 rounded-md border px-3 py-1.5 text-xs" data-testid="tile-notice">
          <ImageOff className="size-3.5 shrink-0" aria-hidden />
          <span className="min-w-0 flex-1">Map tiles could not load — drivers and routes are still shown</span>
          <button type="button" className="hover:text-foreground shrink-0 rounded p-0.5" aria-label="Dismiss the map tiles notice" onClick={() => setDismissed(true)}>
            <X className="size-3.5" aria-hidden />
          </button>
        </div>
      )}
      <div className="relative isolate min-h-0 w-full flex-1 overflow-hidden rounded-lg border" role="region" aria-label="Driver map">
        <MapContainer center={center} zoom={zoom} className="h-full w-full" style={MAP_STYLE} worldCopyJump>
          {tileUrl && <TileLayer url={tileUrl} attribution={tileAttribution} eventHandlers={tileEvents} maxZoom={19} />}
          <AutoResize />
          <UserMoves onUserMove={onUserMove} />
          <FitDriversOnce drivers={drivers} skip={!!selectedId} active={mode === "live"} />
          <Follow target={target} following={following} flyToken={flyToken} active={mode === "live"} />
          {mode === "live" ? (
            <>
              <Trail points={trail} />
              <LiveMarkers drivers={drivers} selectedId={selectedId} onSelect={onSelect} />
            </>
          ) : (
            <>
              <RouteLayers routes={routes} />
              {routes.map((r) => {
                const p = replayPositions[r.driverId];
                return p ? <ReplayMarker key={r.driverId} route={r} position={p} /> : null;
              })}
              <FitRoutes routes={routes} routesKey={routesKey} />
            </>
          )}
        </MapContainer>
        {!tileUrl && (
          <p className="bg-background/90 text-muted-foreground pointer-events-none absolute bottom-1 left-1 z-[1000] rounded px-2 py-0.5 text-[11px]">No map tiles configured</p>
        )}
      </div>
    </div>
  );
}
