import { z } from "zod";
import { route } from "@/lib/api";
import { positionStream } from "@/lib/tracking/live";

export const dynamic = "force-dynamic";

// Server-Sent Events: every posted position, within a second, on every web instance (LISTEN/
// NOTIFY). EventSource reconnects by itself and sends Last-Event-ID; ?lastEventId= does the same.
const query = z.strictObject({ lastEventId: z.string().max(40).optional().describe("Resume after this event id (what EventSource sends as Last-Event-ID)") });

export const GET = route(
  { access: { permission: "tracking.read", scope: "tracking:read" }, query, docs: { summary: "Live driver positions (Server-Sent Events)" } },
  async ({ req, query }) => positionStream({ lastEventId: req.headers.get("last-event-id") ?? query.lastEventId ?? null, signal: req.signal }),
);
