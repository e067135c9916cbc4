// The demo's drivers, moving: each loops through a few real Moscow places at a varying city
// speed, waits at each one a little, and reports like a phone would (position, speed, heading,
// accuracy, battery). The zero-config start seeds the last hours of today from it (so Replay
// has a day to show) and then runs it live through the ingest API (scripts/simulator.ts).
import { distance } from "@/lib/tracking/history";

type LatLng = [number, number];

const PLACES: Record<string, LatLng> = {
  sheremetyevo: [55.9726, 37.4146],
  vnukovo: [55.5915, 37.2615],
  domodedovo: [55.4088, 37.9063],
  redSquare: [55.7539, 37.6208],
  leningradsky: [55.7766, 37.6555],
  kievsky: [55.7431, 37.566],
  moscowCity: [55.7496, 37.5371],
  paveletsky: [55.7296, 37.6401],
  vdnkh: [55.8263, 37.6377],
  luzhniki: [55.7158, 37.5537],
  sokolniki: [55.7893, 37.6797],
  belorussky: [55.7766, 37.582],
};

const ROUTES: (keyof typeof PLACES)[][] = [
  ["sheremetyevo", "belorussky", "redSquare", "belorussky"],
  ["vnukovo", "kievsky", "moscowCity", "kievsky"],
  ["domodedovo", "paveletsky", "redSquare", "paveletsky"],
  ["leningradsky", "sokolniki", "vdnkh", "sokolniki"],
  ["luzhniki", "moscowCity", "belorussky", "kievsky"],
  ["redSquare", "paveletsky", "luzhniki", "kievsky"],
  ["vdnkh", "leningradsky", "redSquare", "sokolniki"],
  ["moscowCity", "sheremetyevo", "belorussky"],
  ["kievsky", "vnukovo", "luzhniki"],
];

/** A small deterministic random source (the same demo every start). */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function bearing(a: LatLng, b: LatLng) {
  const r = Math.PI / 180;
  const y = Math.sin((b[1] - a[1]) * r) * Math.cos(b[0] * r);
  const x = Math.cos(a[0] * r) * Math.sin(b[0] * r) - Math.sin(a[0] * r) * Math.cos(b[0] * r) * Math.cos((b[1] - a[1]) * r);
  return ((Math.atan2(y, x) / r) + 360) % 360;
}

export type SimFix = { latitude: number; longitude: number; speed: number; heading: number; accuracy: number; batteryLevel: number };

export class DriverSim {
  private leg = 0;
  private along = 0; // metres along the current leg
  private dwell = 0; // seconds left waiting at a place
  private battery: number;
  private t = 0;
  private readonly rand: () => number;
  private readonly points: LatLng[];

  constructor(readonly index: number) {
    this.rand = mulberry32(index + 1);
    this.points = ROUTES[index % ROUTES.length].map((p) => PLACES[p]);
    this.battery = 60 + this.rand() * 40;
    this.leg = Math.floor(this.rand() * this.points.length);
    this.along = this.rand() * 2000;
  }

  private get from() {
    return this.points[this.leg % this.points.length];
  }
  private get to() {
    return this.points[(this.leg + 1) % this.points.length];
  }

  /** Moves `seconds` forward and returns where the phone is. */
  step(seconds: number): SimFix {
    this.t += seconds;
    this.battery = Math.max(5, this.battery - seconds / 600);
    let speed = 0;
    if (this.dwell > 0) this.dwell -= seconds;
    else {
      // city traffic: 15–70 km/h, changing slowly
      speed = 42 + 25 * Math.sin(this.t / 97 + this.index) + (this.rand() - 0.5) * 6;
      speed = Math.max(15, Math.min(70, speed));
      this.along += (speed / 3.6) * seconds;
      const legLength = distance({ latitude: this.from[0], longitude: this.from[1] }, { latitude: this.to[0], longitude: this.to[1] });
      if (this.along >= legLength) {
        this.leg = (this.leg + 1) % this.points.length;
        this.along = 0;
        this.dwell = 60 + this.rand() * 240; // at the place: a pickup, a drop-off
        speed = 0;
      }
    }
    const legLength = distance({ latitude: this.from[0], longitude: this.from[1] }, { latitude: this.to[0], longitude: this.to[1] }) || 1;
    const f = Math.min(1, this.along / legLength);
    // a gentle curve instead of a ruler-straight line
    const bend = Math.sin(f * Math.PI) * 0.004 * (this.index % 2 ? 1 : -1);
    const lat = this.from[0] + (this.to[0] - this.from[0]) * f + bend;
    const lng = this.from[1] + (this.to[1] - this.from[1]) * f - bend;
    const jitter = () => (this.rand() - 0.5) * 0.00004; // ~2 m of GPS noise
    return {
      latitude: Math.round((lat + jitter()) * 1e6) / 1e6,
      longitude: Math.round((lng + jitter()) * 1e6) / 1e6,
      speed: Math.round(speed * 10) / 10,
      heading: Math.round(bearing(this.from, this.to)),
      accuracy: Math.round((4 + this.rand() * 8) * 10) / 10,
      batteryLevel: Math.round(this.battery),
    };
  }
}

/** Where the simulated day begins: UTC midnight, or the one before in the first three hours (three hours of history always exist). */
const dayStart = (ms: number) => {
  const d = new Date(ms - 3 * 3600_000);
  d.setUTCHours(0, 0, 0, 0);
  return d.getTime();
};
export const SEED_STEP_SECONDS = 10;

/** Driver `index`'s simulator as it is at `at`: run from the day's start, so every start of the demo continues the same day. */
export function simulatorAt(index: number, at: number): DriverSim {
  const sim = new DriverSim(index);
  for (let t = dayStart(at) + SEED_STEP_SECONDS * 1000; t <= at; t += SEED_STEP_SECONDS * 1000) sim.step(SEED_STEP_SECONDS);
  return sim;
}

/** `hours` of history per driver (one fix every 10 s), ending at `until[i]` (default now). */
export function simulatedHistory(driverIds: string[], hours: number, now = Date.now(), until: (number | undefined)[] = []) {
  const out: (SimFix & { driverId: string; recordedAt: string })[] = [];
  for (const [i, id] of driverIds.entries()) {
    const sim = new DriverSim(i);
    const end = until[i] ?? now;
    for (let t = dayStart(now) + SEED_STEP_SECONDS * 1000; t <= end; t += SEED_STEP_SECONDS * 1000) {
      const fix = sim.step(SEED_STEP_SECONDS);
      if (t >= now - hours * 3600_000) out.push({ driverId: id, recordedAt: new Date(t).toISOString(), ...fix });
    }
  }
  return out;
}
