// Load for bench/tracking.ts, one mode per run, printing one JSON line:
//   ingest <url> <key> <seconds> <concurrency> <base-ms>   batches of 100 through POST /api/v1/tracking/locations
//   bare <seconds> <concurrency> <base-ms>                 the same rows as bare multi-row INSERTs (DATABASE_URL)
//   live <url> <writeKey> <readKey> <seconds> <clients> <perRequest>
//        every driver posts once a second (perRequest positions per POST) while <clients>
//        SSE streams are open; latency = event arrival − the position's recordedAt (same clock)
//   floor <seconds> <per-second>                           NOTIFY → LISTEN round trips on the same database
import pg from "pg";
import { quantile } from "./lib";

const [mode, ...args] = process.argv.slice(2);
const BATCH = 100;
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 16 });
const drivers = (await pool.query<{ id: string }>("select id from drivers where name like 'Bench driver %' order by name")).rows.map((r) => r.id);

/** A batch of positions in the API's names (camelCase; the snake_case ones are only aliases, lib/compat.ts). */
function batchRows(n: number, base: number) {
  // row i: driver i mod N, recorded at base + i ms: (driver, recordedAt) never repeats
  return Array.from({ length: BATCH }, (_, k) => {
    const i = n * BATCH + k;
    return {
      driverId: drivers[i % drivers.length],
      recordedAt: new Date(base + i).toISOString(),
      latitude: 55.75 + (i % 1000) * 1e-5,
      longitude: 37.62 - (i % 700) * 1e-5,
      accuracy: 6.5,
      speed: 42.5,
      heading: 90,
      batteryLevel: 80,
    };
  });
}

async function lanes(seconds: number, concurrency: number, once: (n: number) => Promise<void>) {
  const end = performance.now() + seconds * 1000;
  let next = 0;
  let done = 0;
  let errors = 0;
  const lat: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await once(next++);
          done++;
          lat.push(performance.now() - t);
        } catch (e) {
          if (errors++ < 3) console.error((e as Error).message);
        }
      }
    }),
  );
  lat.sort((a, b) => a - b);
  const took = (performance.now() - started) / 1000;
  return { rows: done * BATCH, errors, rate: (done * BATCH) / took, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99) };
}

async function ingest(url: string, key: string, seconds: number, concurrency: number, base: number) {
  return lanes(seconds, concurrency, async (n) => {
    const res = await fetch(`${url}/api/v1/tracking/locations`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ positions: batchRows(n, base) }),
    });
    const body = await res.text();
    if (res.status !== 202 || JSON.parse(body).accepted !== BATCH) throw new Error(`HTTP ${res.status} ${body.slice(0, 200)}`);
  });
}

async function bare(seconds: number, concurrency: number, base: number) {
  // the table's columns and the position's field each is filled from
  const cols = { driver_id: "driverId", recorded_at: "recordedAt", latitude: "latitude", longitude: "longitude", accuracy: "accuracy", speed: "speed", heading: "heading", battery_level: "batteryLevel" } as const;
  const names = Object.keys(cols);
  const fields = Object.values(cols);
  const sql = `insert into gps_positions (${names.join(", ")}) values ${Array.from({ length: BATCH }, (_, r) => `(${names.map((_, c) => `$${r * names.length + c + 1}`).join(", ")})`).join(", ")}`;
  return lanes(seconds, concurrency, async (n) => {
    const rows = batchRows(n, base);
    await pool.query(sql, rows.flatMap((r) => fields.map((f) => r[f])));
  });
}

/** Opens an SSE stream and calls back with each position event's latency. */
async function sse(url: string, key: string, onLatency: (ms: number) => void, signal: AbortSignal) {
  const res = await fetch(`${url}/api/v1/tracking/stream`, { headers: { authorization: `Bearer ${key}` }, signal });
  if (res.status !== 200) throw new Error(`stream: HTTP ${res.status}`);
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = "";
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buf += dec.decode(value, { stream: true });
      for (let i = buf.indexOf("\n\n"); i >= 0; i = buf.indexOf("\n\n")) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (block.includes("event: ready")) ready();
        const d = block.indexOf("\ndata: ");
        if (block.startsWith("id: ") && d > 0) onLatency(Date.now() - Date.parse(JSON.parse(block.slice(d + 7)).recordedAt));
      }
    }
  })();
  await isReady;
}

async function live(url: string, writeKey: string, readKey: string, seconds: number, clients: number, perRequest: number) {
  const ac = new AbortController();
  const lat: number[] = [];
  await Promise.all(Array.from({ length: clients }, () => sse(url, readKey, (ms) => lat.push(ms), ac.signal)));
  let posted = 0;
  let errors = 0;
  const post = async (ids: string[]) => {
    const at = new Date().toISOString();
    try {
      const res = await fetch(`${url}/api/v1/tracking/locations`, {
        method: "POST",
        headers: { authorization: `Bearer ${writeKey}`, "content-type": "application/json" },
        body: JSON.stringify({ positions: ids.map((id) => ({ driverId: id, recordedAt: at, latitude: 55.75 + Math.random() / 100, longitude: 37.62, speed: 30 })) }),
      });
      await res.text();
      if (res.status === 202) posted += ids.length;
      else errors++;
    } catch {
      errors++;
    }
  };
  // every driver once a second, spread evenly over the second
  const groups: string[][] = [];
  for (let i = 0; i < drivers.length; i += perRequest) groups.push(drivers.slice(i, i + perRequest));
  const end = Date.now() + seconds * 1000;
  const inFlight = new Set<Promise<void>>();
  const startedAt = Date.now();
  let g = 0;
  while (Date.now() < end) {
    const due = startedAt + (g * 1000) / groups.length;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const p = post(groups[g % groups.length]).finally(() => inFlight.delete(p));
    inFlight.add(p);
    g++;
  }
  await Promise.all(inFlight);
  await new Promise((r) => setTimeout(r, 1000)); // the last events arrive
  ac.abort();
  const sorted = [...lat].sort((a, b) => a - b);
  return { posted, errors, perSecond: posted / seconds, deliveries: lat.length, expected: posted * clients, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

async function floor(seconds: number, perSecond: number) {
  const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await listener.connect();
  await listener.query("listen bench_floor");
  const lat: number[] = [];
  listener.on("notification", (n) => lat.push(performance.timeOrigin + performance.now() - Number(n.payload)));
  const end = Date.now() + seconds * 1000;
  const startedAt = Date.now();
  let i = 0;
  const inFlight = new Set<Promise<unknown>>();
  while (Date.now() < end) {
    const wait = startedAt + (i * 1000) / perSecond - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const p = pool.query("select pg_notify('bench_floor', $1)", [String(performance.timeOrigin + performance.now())]).finally(() => inFlight.delete(p));
    inFlight.add(p);
    i++;
  }
  await Promise.all(inFlight);
  await new Promise((r) => setTimeout(r, 500));
  await listener.end();
  const sorted = [...lat].sort((a, b) => a - b);
  return { sent: i, received: lat.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

const n = (s: string) => Number(s);
const out =
  mode === "ingest" ? await ingest(args[0], args[1], n(args[2]), n(args[3]), n(args[4]))
  : mode === "bare" ? await bare(n(args[0]), n(args[1]), n(args[2]))
  : mode === "live" ? await live(args[0], args[1], args[2], n(args[3]), n(args[4]), n(args[5]))
  : mode === "floor" ? await floor(n(args[0]), n(args[1]))
  : (() => { throw new Error(`unknown mode ${mode}`); })();
await pool.end();
console.log(JSON.stringify(out));
