// GPS tracking through its API on a real PostgreSQL: ingest (validation, batches, duplicates,
// device keys, the switch), the live stream (LISTEN/NOTIFY → Server-Sent Events, resume, a
// dropped LISTEN connection), history (simplified, bounded, statistics, stops, days in a time
// zone) and retention.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { CLIENT_IP_HEADER } from "@/lib/auth/client-ip";
import { trackingHub } from "@/lib/tracking/live";
import { deleteOldPositions } from "@/lib/tracking/service";
import { distance } from "@/lib/tracking/history";
import * as locations from "@/app/api/v1/tracking/locations/route";
import * as drivers from "@/app/api/v1/tracking/drivers/route";
import * as history from "@/app/api/v1/tracking/history/route";
import * as stream from "@/app/api/v1/tracking/stream/route";
import { call } from "../helpers/http";
import { createKey, createUser } from "../helpers/fixtures";
import { waitFor } from "../helpers/wait";
import { snakeKeys } from "../helpers/case";
import { withEnv } from "../helpers/workers";

let fleet: string; // tracking:write for any driver
let reader: string;
let olga: { id: string };
let pavel: { id: string };

async function driver(name: string) {
  return db.driver.create({ data: { name, phone: `+7999${Math.floor(1_000_000 + Math.random() * 8_999_999)}` } });
}

beforeAll(async () => {
  fleet = (await createKey(["tracking:write"])).key;
  reader = (await createKey(["tracking:read"])).key;
  olga = await driver("Olga Tracking");
  pavel = await driver("Pavel Tracking");
});

const post = (body: unknown, key = fleet) => call(locations.POST as never, { method: "POST", url: "/api/v1/tracking/locations", body, bearer: key });
const hist = (qs: string, key = reader) => call(history.GET as never, { url: `/api/v1/tracking/history?${qs}`, bearer: key });
const at = (ms: number) => new Date(ms).toISOString();

type Sse = { events: { event: string; id?: string; data: any }[]; close(): Promise<void> };
async function openStream(headers: Record<string, string> = {}): Promise<Sse> {
  const ac = new AbortController();
  const req = new NextRequest("http://localhost:3000/api/v1/tracking/stream", {
    headers: { authorization: `Bearer ${reader}`, [CLIENT_IP_HEADER]: "10.0.0.1", ...headers },
    signal: ac.signal,
  });
  const res = await stream.GET(req as never, { params: Promise.resolve({}) } as never);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const r = res.body!.getReader();
  const dec = new TextDecoder();
  const events: Sse["events"] = [];
  let buf = "";
  const pump = (async () => {
    for (;;) {
      const { value, done } = await r.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buf += dec.decode(value, { stream: true });
      for (let i = buf.indexOf("\n\n"); i >= 0; i = buf.indexOf("\n\n")) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const e: Record<string, string> = {};
        for (const line of block.split("\n")) {
          const m = /^(\w+): ?(.*)$/.exec(line);
          if (m) e[m[1]] = m[2];
        }
        if (e.event) events.push({ event: e.event, id: e.id, data: JSON.parse(e.data) });
      }
    }
  })();
  await waitFor(async () => events.some((e) => e.event === "ready"), 5000, "the stream's ready event");
  return {
    events,
    async close() {
      ac.abort();
      await r.cancel().catch(() => {});
      await pump;
    },
  };
}

describe("ingest", () => {
  it("stores one position from a driver's device key and keeps it as the driver's latest", async () => {
    const device = (await createKey(["tracking:write"], { driverId: olga.id })).key;
    const res = await post({ latitude: 55.7558, longitude: 37.6173, accuracy: 8.5, speed: 42, heading: 180, battery_level: 75 }, device); // alias (docs/api-compat.md)
    expect(res.status, res.text).toBe(202);
    expect(res.json).toEqual({ accepted: 1, duplicates: 0 });
    const loc = await db.driverLocation.findUniqueOrThrow({ where: { driverId: olga.id } });
    expect(loc).toMatchObject({ latitude: 55.7558, longitude: 37.6173, speed: 42, heading: 180, batteryLevel: 75 });

    const snap = await call(drivers.GET as never, { url: "/api/v1/tracking/drivers", bearer: reader });
    expect(snap.status).toBe(200);
    const o = snap.json.drivers.find((d: { id: string }) => d.id === olga.id);
    expect(o).toMatchObject({ name: "Olga Tracking", state: "moving", location: { latitude: 55.7558, longitude: 37.6173, speed: 42, batteryLevel: 75 } });

    // a device key posts only its own driver's positions
    const other = await post({ driver_id: pavel.id, latitude: 1, longitude: 1 }, device); // alias (docs/api-compat.md)
    expect(other.status).toBe(403);
    expect(other.json.error.message).toContain("one driver's device");
  });

  it("stores a batch of 1,000 in one request, ignores it when resent, and refuses 1,001", async () => {
    const start = Date.now() - 3600_000;
    const batch = Array.from({ length: 1000 }, (_, i) => ({ driver_id: pavel.id, latitude: 55.7 + i * 1e-4, longitude: 37.6, speed: 30, recorded_at: at(start + i * 1000) })); // alias (docs/api-compat.md)
    const first = await post({ positions: batch });
    expect(first.json).toEqual({ accepted: 1000, duplicates: 0 });
    const again = await post(batch);
    expect(again.status).toBe(202);
    expect(again.json).toEqual({ accepted: 0, duplicates: 1000 });
    expect(await db.gpsPosition.count({ where: { driverId: pavel.id } })).toBe(1000);
    const tooMany = await post([...batch, { ...batch[0], recorded_at: at(start - 1000) }]); // alias (docs/api-compat.md)
    expect(tooMany.status).toBe(400);
    expect(tooMany.text).toContain("At most 1000");
    // the latest position is the batch's last
    expect(await db.driverLocation.findUniqueOrThrow({ where: { driverId: pavel.id } })).toMatchObject({ latitude: 55.7 + 999 * 1e-4 });
  });

  it("a late (buffered) older position is stored but never replaces the latest", async () => {
    const d = await driver("Late Lena");
    await post({ driver_id: d.id, latitude: 10, longitude: 10, recorded_at: at(Date.now() - 1000) }); // alias (docs/api-compat.md)
    await post({ driver_id: d.id, latitude: 20, longitude: 20, recorded_at: at(Date.now() - 60_000) }); // alias (docs/api-compat.md)
    expect(await db.driverLocation.findUniqueOrThrow({ where: { driverId: d.id } })).toMatchObject({ latitude: 10 });
    expect(await db.gpsPosition.count({ where: { driverId: d.id } })).toBe(2);
  });

  it("refuses bad input with the reason and stores nothing of that batch", async () => {
    const d = await driver("Invalid Ivan");
    const cases: [unknown, string][] = [
      [{ driver_id: d.id, latitude: 91, longitude: 0 }, "latitude"], // alias (docs/api-compat.md)
      [{ driver_id: d.id, latitude: 0, longitude: -181 }, "longitude"], // alias (docs/api-compat.md)
      [{ driver_id: d.id, latitude: "55.7", longitude: 37 }, "latitude"], // alias (docs/api-compat.md)
      // the reasons name the fields by their documented (camelCase) names, whichever name was sent
      [{ driver_id: "123", latitude: 55, longitude: 37 }, "driverId is a driver's id"], // alias (docs/api-compat.md)
      [{ driverId: "123", latitude: 55, longitude: 37 }, "driverId is a driver's id"],
      [{ latitude: 55, longitude: 37 }, "driverId is required"],
      [{ driverId: d.id, latitude: 55, longitude: 37, recordedAt: at(Date.now() + 3600_000) }, "in the future"],
      [{ driver_id: d.id, latitude: 55, longitude: 37, recorded_at: at(Date.now() + 3600_000) }, "in the future"], // alias (docs/api-compat.md)
      [{ driver_id: d.id, latitude: 55, longitude: 37, recorded_at: at(Date.now() - 100 * 86_400_000) }, "older than"], // alias (docs/api-compat.md)
      [{ driver_id: d.id, latitude: 55, longitude: 37, speed: -1 }, "speed"], // alias (docs/api-compat.md)
      [[{ driver_id: d.id, latitude: 55, longitude: 37 }, { driver_id: d.id, latitude: 55, longitude: 37, heading: 400 }], "heading"], // alias (docs/api-compat.md)
      [[], "No positions"],
    ];
    for (const [body, reason] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error.code).toBe("validation_failed");
      expect(res.text).toContain(reason);
    }
    // a device clock a little ahead is fine
    expect((await post({ driver_id: d.id, latitude: 55, longitude: 37, recorded_at: at(Date.now() + 30_000) })).status).toBe(202); // alias (docs/api-compat.md)
    expect(await db.gpsPosition.count({ where: { driverId: d.id } })).toBe(1);
  });

  it("an unknown driver is 404 and nothing of the batch is stored", async () => {
    const d = await driver("Known Kira");
    const ghost = randomUUID();
    const res = await post([
      { driver_id: d.id, latitude: 1, longitude: 1 }, // alias (docs/api-compat.md)
      { driver_id: ghost, latitude: 1, longitude: 1 }, // alias (docs/api-compat.md)
    ]);
    expect(res.status).toBe(404);
    expect(res.json.error.details).toEqual({ unknownDriverIds: [ghost] });
    expect(await db.gpsPosition.count({ where: { driverId: d.id } })).toBe(0);
  });

  it("checks scopes and who may post", async () => {
    expect((await post({ driver_id: olga.id, latitude: 1, longitude: 1 }, reader)).status).toBe(403); // alias (docs/api-compat.md)
    const admin = await createUser("admin");
    const asUser = await call(locations.POST as never, { method: "POST", url: "/api/v1/tracking/locations", body: { driver_id: olga.id, latitude: 1, longitude: 1 }, cookie: admin.cookie }); // alias (docs/api-compat.md)
    expect(asUser.status).toBe(403);
    expect((await call(drivers.GET as never, { url: "/api/v1/tracking/drivers" })).status).toBe(401);
    const viewer = await createUser("viewer");
    expect((await call(drivers.GET as never, { url: "/api/v1/tracking/drivers", cookie: viewer.cookie })).status).toBe(200);
  });

  it("GPS_TRACKING_ENABLED=false refuses positions with a clear error", async () => {
    await withEnv({ GPS_TRACKING_ENABLED: "false" }, async () => {
      const res = await post({ driver_id: olga.id, latitude: 1, longitude: 1 }); // alias (docs/api-compat.md)
      expect(res.status).toBe(403);
      expect(res.json.error).toMatchObject({ code: "tracking_disabled" });
      expect(res.json.error.message).toContain("GPS_TRACKING_ENABLED");
    });
  });

  it("takes positions in camelCase (driverId, applicationId, batteryLevel, recordedAt), alone or in a batch; the drivers' list answers in camelCase", async () => {
    const d = await driver("Camel Katya");
    const order = await db.application.findFirst({ select: { id: true } });
    const t = Date.now() - 5000;
    const one = await post({ driverId: d.id, latitude: 55.1, longitude: 37.1, batteryLevel: 64, recordedAt: at(t), ...(order ? { applicationId: order.id } : {}) });
    expect(one.status, one.text).toBe(202);
    expect(one.json).toEqual({ accepted: 1, duplicates: 0 });
    expect(await db.gpsPosition.findFirstOrThrow({ where: { driverId: d.id } })).toMatchObject({ batteryLevel: 64, applicationId: order?.id ?? null });
    const batch = await post({ positions: [{ driverId: d.id, latitude: 55.2, longitude: 37.2, recordedAt: t + 1000 }, { driver_id: d.id, latitude: 55.3, longitude: 37.3, recorded_at: at(t + 2000) }] }); // the second item: alias (docs/api-compat.md)
    expect(batch.status, batch.text).toBe(202);
    expect(batch.json.accepted).toBe(2);
    const list = await call(drivers.GET as never, { url: "/api/v1/tracking/drivers", bearer: reader });
    expect(list.status).toBe(200);
    expect(snakeKeys(list.json)).toEqual([]);
  });

  it("refuses a position naming a field twice (which to keep) or an unknown field, and stores nothing of the batch", async () => {
    const d = await driver("Twice Tanya");
    const both = await post([{ driverId: d.id, latitude: 1, longitude: 1 }, { driverId: d.id, driver_id: d.id, latitude: 2, longitude: 2 }]);
    expect(both.status).toBe(400);
    expect(both.json.error.details).toEqual([{ path: "1.driver_id", message: 'Both "driverId" and its old name "driver_id" were sent: keep "driverId" and leave out "driver_id"' }]);
    const unknown = await post({ driverId: d.id, latitude: 1, longitude: 1, battery: 50 });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe('The request body has an unknown field: "0.battery"');
    expect(await db.gpsPosition.count({ where: { driverId: d.id } })).toBe(0);
  });
});

describe("live stream", () => {
  it("delivers a posted position to a connected client, and resumes from Last-Event-ID", async () => {
    const d = await driver("Stream Stas");
    const sse = await openStream();
    try {
      await post({ driver_id: d.id, latitude: 59.93, longitude: 30.33, speed: 12 }); // alias (docs/api-compat.md)
      const ev = await waitFor(async () => sse.events.find((e) => e.event === "position" && e.data.driverId === d.id), 5000, "the position event");
      expect(ev.data).toMatchObject({ latitude: 59.93, longitude: 30.33, speed: 12 });
      expect(Number(ev.id)).toBe(ev.data.at);
    } finally {
      await sse.close();
    }
    // a client that was away gets what changed since its last event id
    const lastId = String(Date.now());
    const d2 = await driver("Away Anna");
    await new Promise((r) => setTimeout(r, 20)); // a real clock: the position must be stamped after lastId (positions carry the server's time)
    await post({ driver_id: d2.id, latitude: 1.5, longitude: 2.5 }); // alias (docs/api-compat.md)
    const back = await openStream({ "last-event-id": lastId });
    try {
      const ev = await waitFor(async () => back.events.find((e) => e.event === "position" && e.data.driverId === d2.id), 5000, "the caught-up position");
      expect(ev.data).toMatchObject({ latitude: 1.5, longitude: 2.5 });
    } finally {
      await back.close();
    }
  });

  it("keeps delivering after the LISTEN connection drops", async () => {
    const d = await driver("Reconnect Roma");
    const sse = await openStream();
    try {
      trackingHub().breakConnection();
      await post({ driver_id: d.id, latitude: 40, longitude: 40 }); // alias (docs/api-compat.md)
      await waitFor(async () => sse.events.find((e) => e.event === "position" && e.data.driverId === d.id), 8000, "the position after reconnecting");
    } finally {
      await sse.close();
    }
  });

  it("needs tracking:read", async () => {
    const writer = await createKey(["tracking:write"]);
    const res = await call(stream.GET as never, { url: "/api/v1/tracking/stream", bearer: writer.key });
    expect(res.status).toBe(403);
  });
});

describe("history", () => {
  // a drive east along a parallel, 10 minutes parked, then on: one fix every 5 s
  const day = "2026-11-20";
  const t0 = Date.parse(`${day}T06:00:00Z`); // 09:00 in Moscow
  let route: { latitude: number; longitude: number; t: number }[];
  let d: { id: string };
  beforeAll(async () => {
    d = await driver("History Hanna");
    route = [];
    let lng = 37.5;
    let t = t0;
    for (let i = 0; i < 300; i++, t += 5000) route.push({ latitude: 55.75 + Math.sin(i / 20) * 0.002, longitude: (lng += 0.0008), t }); // ~50 m per 5 s
    const parked = route.at(-1)!.latitude;
    for (let i = 0; i < 120; i++, t += 5000) route.push({ latitude: parked + (i % 2) * 0.00002, longitude: lng, t }); // parked, GPS jitter
    for (let i = 0; i < 300; i++, t += 5000) route.push({ latitude: 55.75, longitude: (lng += 0.0008), t });
    const positions = route.map((p, i) => ({
      driver_id: d.id, // alias (docs/api-compat.md)
      latitude: p.latitude,
      longitude: p.longitude,
      speed: i >= 300 && i < 420 ? 0 : 36,
      recorded_at: at(p.t), // alias (docs/api-compat.md)
    }));
    // the API refuses positions older than the retention window; this day is within it
    await withEnv({ GPS_STORE_HISTORY_DAYS: "3650" }, async () => {
      expect((await post(positions)).json.accepted).toBe(720);
    });
  });

  it("simplifies the route, keeps its endpoints, bounds its size, counts distance, time and the stop", async () => {
    const res = await hist(`driver_id=${d.id}&date=${day}&tz=Europe/Moscow&raw=1`); // alias (docs/api-compat.md)
    expect(res.status, res.text).toBe(200);
    const h = res.json;
    expect(h.from).toBe("2026-11-19T21:00:00.000Z");
    expect(h.raw).toHaveLength(720);
    expect(h.points.length).toBeLessThan(200);
    expect(h.points.length).toBeGreaterThan(2);
    expect(h.points[0]).toMatchObject({ latitude: route[0].latitude, longitude: route[0].longitude, recordedAt: at(route[0].t) });
    expect(h.points.at(-1)).toMatchObject({ longitude: route.at(-1)!.longitude, recordedAt: at(route.at(-1)!.t) });
    let expected = 0;
    for (let i = 1; i < route.length; i++) expected += distance(route[i - 1], route[i]);
    expect(h.stats.distanceMeters).toBeGreaterThan(expected * 0.99);
    expect(h.stats.distanceMeters).toBeLessThan(expected * 1.01);
    expect(h.stats).toMatchObject({ rawPoints: 720, simplifiedPoints: h.points.length, maxSpeedKmh: 36, movingSeconds: 2995, stoppedSeconds: 600 });
    expect(h.stops).toHaveLength(1);
    expect(h.stops[0].durationSeconds).toBeGreaterThanOrEqual(595);
    expect(h.stops[0].durationSeconds).toBeLessThanOrEqual(605);
    expect(Math.abs(Date.parse(h.stops[0].from) - route[299].t)).toBeLessThanOrEqual(10_000); // one fix of tolerance

    const small = await hist(`driver_id=${d.id}&date=${day}&tz=Europe/Moscow&max_points=10`); // alias (docs/api-compat.md)
    expect(small.json.points.length).toBeLessThanOrEqual(10);
    expect(small.json.points[0].recordedAt).toBe(at(route[0].t));
    expect(small.json.points.at(-1).recordedAt).toBe(at(route.at(-1)!.t));
    expect(small.json.raw).toBeUndefined();
  });

  it("takes the day in the asked time zone, or a from/to range", async () => {
    // in Honolulu (UTC-10) the 20th starts at 10:00 UTC: most of the drive was on the 19th there
    const hnl = await hist(`driver_id=${d.id}&date=${day}&tz=Pacific/Honolulu`); // alias (docs/api-compat.md)
    expect(hnl.json.stats.rawPoints).toBe(0);
    expect(hnl.json.points).toEqual([]);
    const range = await hist(`driver_id=${d.id}&from=${encodeURIComponent(at(t0))}&to=${encodeURIComponent(at(t0 + 60_000))}`); // alias (docs/api-compat.md)
    expect(range.json.stats.rawPoints).toBe(12);
  });

  it("refuses unclear questions and unknown drivers", async () => {
    expect((await hist(`driver_id=${d.id}`)).status).toBe(400); // alias (docs/api-compat.md)
    expect((await hist(`driver_id=${d.id}&date=${day}&from=${at(t0)}`)).status).toBe(400); // alias (docs/api-compat.md)
    expect((await hist(`driver_id=${d.id}&date=${day}&tz=Mars/Olympus`)).status).toBe(400); // alias (docs/api-compat.md)
    expect((await hist(`driver_id=${d.id}&from=${at(t0)}&to=${at(t0 + 8 * 86_400_000)}`)).status).toBe(400); // alias (docs/api-compat.md)
    expect((await hist(`driver_id=${randomUUID()}&date=${day}`)).status).toBe(404); // alias (docs/api-compat.md)
  });

  it("takes camelCase (driverId, maxPoints), refuses both names of a field and unknown ones, and answers in camelCase", async () => {
    const res = await hist(`driverId=${d.id}&date=${day}&tz=Europe/Moscow&maxPoints=10&raw=1`);
    expect(res.status, res.text).toBe(200);
    expect(res.json.driverId).toBe(d.id);
    expect(res.json.points.length).toBeLessThanOrEqual(10);
    expect(snakeKeys(res.json)).toEqual([]);
    const both = await hist(`driverId=${d.id}&driver_id=${d.id}&date=${day}`);
    expect(both.status).toBe(400);
    expect(both.json.error.details).toEqual([{ path: "driver_id", message: 'Both "driverId" and its old name "driver_id" were sent: keep "driverId" and leave out "driver_id"' }]);
    const unknown = await hist(`driverId=${d.id}&date=${day}&max_point=5`);
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message).toBe('The query string has an unknown field: "max_point"');
  });
});

describe("retention", () => {
  it("deletes positions older than the kept days in batches and keeps the rest", async () => {
    const d = await driver("Retention Rita");
    const old = Date.now() - 95 * 86_400_000;
    await pgPool().query(
      `insert into gps_positions (driver_id, recorded_at, latitude, longitude) select $1, to_timestamp($2::float8 / 1000) + g * interval '1 second', 1, 1 from generate_series(1, 250) g`,
      [d.id, old],
    );
    await post({ driver_id: d.id, latitude: 2, longitude: 2 }); // alias (docs/api-compat.md)
    const deleted = await deleteOldPositions(90, 100);
    expect(deleted).toBeGreaterThanOrEqual(250);
    expect(await db.gpsPosition.count({ where: { driverId: d.id } })).toBe(1);
    expect(await db.gpsPosition.count({ where: { recordedAt: { lt: new Date(Date.now() - 90 * 86_400_000) } } })).toBe(0);
  });
});

afterAll(async () => {
  // the LISTEN connection of this file's process
  expect(trackingHub().size).toBe(0);
});
