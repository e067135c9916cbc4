"use client";
// The live positions: one EventSource on /api/v1/tracking/stream for the page's lifetime.
// The browser reconnects by itself after a network error (sending Last-Event-ID, so the server
// re-sends every driver that moved meanwhile). When the server refuses outright (the
// EventSource closes for good: a restart, a 5xx) we open a new one with a growing delay and
// tell the page, which asks for the whole snapshot again since nothing is replayed then.
import * as React from "react";
import type { PositionEvent } from "@/lib/tracking/contract";

export type StreamStatus = "connecting" | "live" | "reconnecting";

export function usePositionStream(
  url: string,
  handlers: { onPosition: (e: PositionEvent) => void; onResync: () => void; onServerTime?: (iso: string) => void },
): StreamStatus {
  const [status, setStatus] = React.useState<StreamStatus>("connecting");
  const ref = React.useRef(handlers);
  React.useEffect(() => {
    ref.current = handlers;
  });

  React.useEffect(() => {
    if (typeof window === "undefined" || typeof EventSource === "undefined") return;
    let es: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let disposed = false;
    let fresh = false; // a new EventSource after a hard failure: the server replays nothing

    const connect = () => {
      const source = new EventSource(url);
      es = source;
      source.onopen = () => {
        if (disposed) return;
        attempt = 0;
        setStatus("live");
        if (fresh) ref.current.onResync();
        fresh = false;
      };
      source.addEventListener("ready", (e) => {
        try {
          const now = (JSON.parse((e as MessageEvent<string>).data) as { now?: string }).now;
          if (now) ref.current.onServerTime?.(now);
        } catch {
          /* not JSON: ignore */
        }
      });
      source.addEventListener("position", (e) => {
        try {
          ref.current.onPosition(JSON.parse((e as MessageEvent<string>).data) as PositionEvent);
        } catch {
          /* a malformed event: skip it */
        }
      });
      source.onerror = () => {
        if (disposed) return;
        setStatus("reconnecting");
        if (source.readyState === EventSource.CLOSED) {
          source.close();
          const delay = Math.min(30_000, 2000 * 2 ** attempt++);
          retry = setTimeout(() => {
            fresh = true;
            connect();
          }, delay);
        }
      };
    };
    connect();
    return () => {
      disposed = true;
      clearTimeout(retry);
      es?.close();
    };
  }, [url]);

  return status;
}
