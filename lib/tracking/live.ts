// The live position stream: one LISTEN connection per process fans every NOTIFY from the
// ingest statement out to the maps connected to this process (Server-Sent Events). Several
// web instances each listen, so a position posted to any of them reaches every map.
// When the LISTEN connection drops, it reconnects and replays what changed meanwhile from
// driver_locations, so no map misses a driver's latest position.
import pg from "pg";
import { pgPool } from "@/lib/pg";
import { logger } from "@/lib/logger";
import { POSITION_ARRAY, TRACKING_CHANNEL } from "@/lib/tracking/ingest";
import type { PositionEvent } from "@/lib/tracking/contract";

/** What a subscriber gets: a ready-made SSE chunk (one or more position events), shared by all. */
type Listener = (chunk: Uint8Array) => void;

const encoder = new TextEncoder();
export const sseEvent = (e: PositionEvent) => `id: ${e.at}\nevent: position\ndata: ${JSON.stringify(e)}\n\n`;

/** Overlap when resuming: a transaction's received_at is its start, it may commit a little later. */
const RESUME_OVERLAP_MS = 5000;

type Compact = [string, number, number, number | null, number | null, number | null, number | null, string | null, number, number];

/** One position from its compact array (see POSITION_ARRAY). */
export function decodePosition(a: Compact): PositionEvent {
  return {
    driverId: a[0],
    latitude: a[1],
    longitude: a[2],
    speed: a[3],
    heading: a[4],
    accuracy: a[5],
    batteryLevel: a[6],
    applicationId: a[7],
    recordedAt: new Date(a[8]).toISOString(),
    receivedAt: new Date(a[9]).toISOString(),
    at: a[9],
  };
}

/** Latest positions that changed since `sinceMs` (with an overlap), oldest first. */
export async function changesSince(sinceMs: number): Promise<PositionEvent[]> {
  const r = await pgPool().query<{ e: Compact }>(
    `select ${POSITION_ARRAY("d")} as e from driver_locations d where d.received_at > to_timestamp($1::float8 / 1000) order by d.received_at`,
    [sinceMs - RESUME_OVERLAP_MS],
  );
  return r.rows.map((x) => decodePosition(x.e));
}

class Hub {
  private listeners = new Set<Listener>();
  private client?: pg.Client;
  private connecting?: Promise<void>;
  /** the newest moment (DB clock, ms) this process is known to have heard everything up to */
  private since = 0;
  private retryTimer?: NodeJS.Timeout;

  async subscribe(fn: Listener): Promise<() => void> {
    this.listeners.add(fn);
    await this.ensure();
    return () => {
      this.listeners.delete(fn);
      if (!this.listeners.size) this.close();
    };
  }

  get size() {
    return this.listeners.size;
  }

  private pending: string[] = [];
  private flushing = false;

  // Events that arrive together (a NOTIFY burst from one read) become one chunk, encoded once
  // and handed to every subscriber: with 50 maps open that is 50 writes per burst, not per event.
  private emit(e: PositionEvent) {
    if (e.at > this.since) this.since = e.at;
    this.pending.push(sseEvent(e));
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      const chunk = encoder.encode(this.pending.join(""));
      this.pending = [];
      for (const fn of this.listeners) {
        try {
          fn(chunk);
        } catch (err) {
          logger.warn({ err: (err as Error).message }, "tracking listener failed");
        }
      }
    });
  }

  private ensure(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async connect() {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set");
    const client = new pg.Client({ connectionString: url, application_name: "switchboard-tracking-listen" });
    const lost = (why: string) => {
      if (this.client !== client) return;
      this.client = undefined;
      client.removeAllListeners();
      client.end().catch(() => {});
      logger.warn({ why }, "tracking LISTEN connection lost; reconnecting");
      this.scheduleReconnect();
    };
    client.on("error", (e) => lost(e.message));
    client.on("end", () => lost("ended"));
    client.on("notification", (n) => {
      if (n.channel !== TRACKING_CHANNEL || !n.payload) return;
      try {
        for (const a of JSON.parse(n.payload) as Compact[]) this.emit(decodePosition(a));
      } catch {
        logger.warn("tracking notification was not JSON");
      }
    });
    await client.connect();
    await client.query(`listen ${TRACKING_CHANNEL}`);
    const now = await client.query<{ ms: string }>("select (extract(epoch from now()) * 1000)::bigint as ms");
    const gapFrom = this.since;
    this.since = Math.max(this.since, Number(now.rows[0].ms));
    this.client = client;
    if (!this.listeners.size) return this.close(); // everyone left while it connected
    // what changed while there was no connection (the first connect has nothing to catch up)
    if (gapFrom > 0) for (const e of await changesSince(gapFrom)) this.emit(e);
  }

  private scheduleReconnect() {
    if (this.retryTimer || !this.listeners.size) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.listeners.size) return;
      this.ensure().catch((e) => {
        logger.warn({ err: (e as Error).message }, "tracking LISTEN reconnect failed");
        this.scheduleReconnect();
      });
    }, 1000);
    this.retryTimer.unref();
  }

  private close() {
    const c = this.client;
    this.client = undefined;
    this.since = 0;
    if (c) {
      c.removeAllListeners();
      c.on("error", () => {});
      c.end().catch(() => {});
    }
  }

  /** Tests: drop the LISTEN connection as a network failure would. */
  breakConnection() {
    const c = this.client;
    if (c) c.emit("error", new Error("connection broken (test)"));
  }
}

const g = globalThis as unknown as { __sbTrackingHub?: Hub };
export function trackingHub(): Hub {
  g.__sbTrackingHub ??= new Hub();
  return g.__sbTrackingHub;
}

const HEARTBEAT_MS = 15_000;

/**
 * A Server-Sent Events response: "ready", then every position as it is posted; a client that
 * reconnects with Last-Event-ID first gets every driver whose latest position changed since.
 */
export async function positionStream(opts: { lastEventId?: string | null; signal?: AbortSignal }): Promise<Response> {
  const hub = trackingHub();
  let unsubscribe: (() => void) | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let closed = false;
  const since = opts.lastEventId && /^\d{10,16}$/.test(opts.lastEventId) ? Number(opts.lastEventId) : null;

  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (chunk: Uint8Array) => {
        if (closed) return;
        try {
          controller.enqueue(chunk);
        } catch {
          stop();
        }
      };
      const send = (text: string) => write(encoder.encode(text));
      const stop = () => {
        if (closed) return;
        closed = true;
        unsubscribe?.();
        clearInterval(heartbeat);
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      };
      opts.signal?.addEventListener("abort", stop, { once: true });
      // subscribe first, then catch up: an event in between is sent twice, never lost
      const buffered: Uint8Array[] = [];
      let live = false;
      unsubscribe = await hub.subscribe((chunk) => (live ? write(chunk) : buffered.push(chunk)));
      if (closed) return unsubscribe();
      send(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ now: new Date().toISOString() })}\n\n`);
      if (since !== null) send((await changesSince(since)).map(sseEvent).join(""));
      live = true;
      for (const chunk of buffered) write(chunk);
      heartbeat = setInterval(() => send(": ping\n\n"), HEARTBEAT_MS);
      heartbeat.unref();
    },
    cancel() {
      closed = true;
      unsubscribe?.();
      clearInterval(heartbeat);
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      // no-transform: the response compression must not buffer the stream
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
