import { route } from "@/lib/api";
import { positionStream } from "@/lib/tracking/live";

export const dynamic = "force-dynamic";

// Server-Sent Events: every posted position, within a second, on every web instance (LISTEN/
// NOTIFY). EventSource reconnects by itself and sends Last-Event-ID; ?lastEventId= does the same.
export const GET = route({ access: { permission: "tracking.read", scope: "tracking:read" }, docs: { summary: "Live driver positions (Server-Sent Events)" } }, async ({ req }) =>
  positionStream({ lastEventId: req.headers.get("last-event-id") ?? new URL(req.url).searchParams.get("lastEventId"), signal: req.signal }),
);
