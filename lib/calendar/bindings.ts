// What the calendar area does on Google Calendar's behalf (issue 17: lib/providers/bindings.ts):
// the sync runner, push-notification verification and handling (the channels and their tokens
// are this area's tables), stopping the channels before a grant is revoked, and setting the
// calendar up when an integration is connected (the integration.connected event), and the
// calendarEvents port (lib/ports.ts) other areas write events through. Loaded by the wiring
// (lib/wiring.ts).
import { subscribe } from "@/lib/events";
import { bindProvider } from "@/lib/providers/bindings";
import { providePort } from "@/lib/ports";
import type { GCalContext } from "@/lib/providers/google-calendar/client";
import { requestSync } from "@/lib/jobs/sync";
import { syncCalendar } from "@/lib/calendar/sync";
import { maintainCalendar } from "@/lib/calendar/maintenance";
import { stopCalendarChannels, verifyChannelNotification } from "@/lib/calendar/channels";
import { handleCalendarNotification } from "@/lib/calendar/notifications";
import { createCalendarEvent, updateCalendarEvent } from "@/lib/calendar/service";

bindProvider("calendar", "google-calendar", {
  async sync(ctx, run) {
    const details = await syncCalendar(ctx as GCalContext, run);
    return { details, state: { calendarResume: null, calendarId: details.calendarId } };
  },
  webhook: {
    verify: (req, ctx) => verifyChannelNotification(req, ctx.integration.id),
    handle: handleCalendarNotification,
  },
  // channels are stopped while the grant still works (stopping needs a valid token)
  async beforeDisconnect(ctx) {
    await stopCalendarChannels(ctx.integration.id, ctx as GCalContext);
  },
});

// the push channel (realtime) and the sync schedule at once, and the first full sync queued
subscribe("integration.connected", "calendar.setup", async (data) => {
  if (data.provider !== "google-calendar") return;
  const integrationId = String(data.integrationId);
  await maintainCalendar(integrationId);
  await requestSync(integrationId, { type: "events", trigger: "api", actor: { type: "system", label: "Google Calendar connected" } }).catch(() => undefined);
});

// events other areas write (meetings: a Zoom meeting's join link), checked and pushed to Google
// like the API's, audited as whoever asked
providePort("calendar", "calendarEvents", {
  create: (draft, who) => createCalendarEvent(draft, who),
  update: (id, patch, who) => updateCalendarEvent(id, patch, who),
});
