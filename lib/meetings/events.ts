// Zoom's events, applied to the meeting they are about (run by the webhook workers, through the
// Zoom provider's handle()):
//   meeting.started       → started (lastStartedAt)
//   meeting.ended         → ended (a recurring meeting: scheduled again, lastEndedAt kept)
//   meeting.deleted       → deleted (the whole meeting: its join link leaves its calendar event;
//                           one occurrence of a recurring meeting is marked in its occurrences
//                           and the meeting stays)
//   recording.completed   → the recording files stored (recordingsCount)
// Events about meetings Switchboard did not create are ignored. An event older than the newest
// one applied (event_ts) does not move the status back: Zoom does not promise delivery order.
// A deleted meeting stays deleted. Applying the same event twice changes nothing.
import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { db } from "@/lib/db";
import { PermanentWebhookError, type ProviderContext, type StoredWebhook, type WebhookHandleResult } from "@/lib/providers/types";
import { int64, zoomRecordings } from "@/lib/providers/zoom/client";
import { activityOf, recordingFiles, ZOOM_ACTOR, type Activity } from "@/lib/meetings/service";
import { detachFromEvent } from "@/lib/meetings/calendar";

const event = z.object({
  event: z.string(),
  event_ts: z.number(),
  payload: z.object({
    operation: z.string().optional(),
    object: z
      .object({
        id: int64,
        uuid: z.string().optional(),
        start_time: z.string().optional(),
        end_time: z.string().optional(),
        occurrences: z.array(z.object({ occurrence_id: z.union([z.string(), z.number()]).transform(String) }).loose()).optional(),
      })
      .loose(),
  }),
});

const HANDLED = new Set(["meeting.started", "meeting.ended", "meeting.deleted", "recording.completed"]);

export async function handleZoomEvent(stored: StoredWebhook, ctx: ProviderContext): Promise<WebhookHandleResult> {
  const type = stored.type;
  if (!HANDLED.has(type)) return { outcome: "ignored", note: `${type} events are not used by Switchboard` };
  const parsed = event.safeParse(stored.payload);
  if (!parsed.success) throw new PermanentWebhookError(`a ${type} event without the fields Zoom sends: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const { event_ts: ts, payload } = parsed.data;
  const o = payload.object;

  // read and written in one transaction with the row locked: two events of one meeting processed
  // at once (started and ended) cannot overwrite each other's activity
  let detach: { eventId: string; id: string; joinUrl: string } | null = null;
  const result = await db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ id: string }[]>`select id from meetings where integration_id = ${ctx.integration.id}::uuid and zoom_meeting_id = ${o.id} for update`;
    if (!rows.length) return { outcome: "ignored", note: `meeting ${o.id} was not created by Switchboard` } as WebhookHandleResult;
    const m = await tx.meeting.findUniqueOrThrow({ where: { id: rows[0].id } });
    const a = activityOf(m);
    const newer = a.lastEventTs === null || ts >= a.lastEventTs;
    const recurring = m.type === 3 || m.type === 8;
    let status = m.status;
    let next: Activity = a;
    let recurrence: Prisma.InputJsonObject | undefined;
    let note: string;

    if (type === "meeting.deleted" && payload.operation === "single" && o.occurrences?.length && recurring) {
      // one occurrence of a recurring meeting: the meeting itself stays
      const gone = new Set(o.occurrences.map((x) => x.occurrence_id));
      const r = (m.recurrence ?? {}) as { occurrences?: { occurrence_id: string; status?: string }[] };
      recurrence = { ...r, occurrences: (r.occurrences ?? []).map((x) => (gone.has(String(x.occurrence_id)) ? { ...x, status: "deleted" } : x)) } as Prisma.InputJsonObject;
      note = `meeting ${o.id}: occurrence ${[...gone].join(", ")} deleted at Zoom`;
    } else if (type === "meeting.deleted") {
      if (m.status !== "deleted" && m.calendarEventId) detach = { eventId: m.calendarEventId, id: m.id, joinUrl: m.joinUrl };
      status = "deleted";
      note = `meeting ${o.id} deleted at Zoom`;
    } else if (type === "recording.completed") {
      const r = zoomRecordings.safeParse(o);
      if (!r.success) throw new PermanentWebhookError("recording.completed without recording_files");
      next = { ...a, files: recordingFiles(r.data), shareUrl: r.data.share_url ?? null, totalSize: r.data.total_size ?? null, fetchedAt: new Date().toISOString() };
      note = `meeting ${o.id}: ${r.data.recording_files.length} recording file(s)`;
    } else if (type === "meeting.started") {
      next = { ...a, lastStartedAt: o.start_time ?? new Date(ts).toISOString() };
      if (newer && status !== "deleted") status = "started";
      note = `meeting ${o.id} started`;
    } else {
      next = { ...a, lastEndedAt: o.end_time ?? new Date(ts).toISOString() };
      if (newer && status !== "deleted") status = recurring ? "scheduled" : "ended";
      note = `meeting ${o.id} ended`;
    }
    if (!newer && type !== "recording.completed" && type !== "meeting.deleted") note += " (an older event than one already applied: status kept)";
    next = { ...next, lastEventTs: Math.max(a.lastEventTs ?? 0, ts) };
    await tx.meeting.update({
      where: { id: m.id },
      data: { status, recordings: next as unknown as Prisma.InputJsonObject, ...(recurrence ? { recurrence } : {}) },
    });
    return { outcome: "completed", note, events: [{ type: `meeting.${type === "recording.completed" ? "recordings" : type.split(".")[1]}`, data: { meetingId: m.id, zoomMeetingId: o.id, status } }] } as WebhookHandleResult;
  });
  // the join link leaves the calendar event (through the calendar service, after our commit)
  const d = detach as { eventId: string; id: string; joinUrl: string } | null;
  if (d) {
    const problem = await detachFromEvent(d.eventId, d, ZOOM_ACTOR);
    if (problem) result.note = `${result.note}; ${problem}`;
  }
  return result;
}
