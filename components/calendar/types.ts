// What the calendar API answers (lib/calendar/service.ts), as the browser sees it.
export type CalendarEventItem = {
  id: string;
  integrationId: string;
  calendarId: string;
  googleEventId: string | null;
  title: string;
  description: string | null;
  location: string | null;
  allDay: boolean;
  start: string;
  end: string;
  startDate: string | null;
  endDate: string | null;
  timeZone: string | null;
  attendees: { email: string; name?: string | null; responseStatus?: string | null }[];
  reminders: { useDefault: boolean; overrides?: { method: "email" | "popup"; minutes: number }[] } | null;
  recurrence: string[] | null;
  status: string;
  origin: "crm" | "google" | string;
  applicationId: string | null;
  application: { id: string; number: string } | null;
  meetingId: string | null;
  sync: { state: "synced" | "pending" | "error"; error: string | null; inGoogle: boolean; lastSyncedAt: string | null };
  deletedAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export type CalendarStatus = {
  id: string;
  name: string;
  code: string;
  mode: "live" | "sandbox";
  status: string;
  connection: "connected" | "needs_reconnect" | "not_connected";
  connectionError: string | null;
  account: string | null;
  calendarId: string;
  direction: "to_google" | "from_google" | "bidirectional";
  frequency: "realtime" | "hourly" | "daily";
  sendUpdates: string;
  schedule: { autoSync: boolean; syncIntervalMinutes: number | null; nextSyncAt: string | null };
  sync: { lastSyncAt: string | null; lastFullSyncAt: string | null; syncToken: boolean; resyncs: number; resumeAtPage: number | null };
  channel: { id: string; expiresAt: string; lastMessageAt: string | null } | null;
  events: { total: number; pending: number; failing: number };
  lastJob: { id: string; status: string; trigger: string; error: string | null; createdAt: string; finishedAt: string | null; details: Record<string, unknown> | null } | null;
};

export type ApplicationOption = { id: string; number: string; pickupAt: string; pickupAddress: string; dropoffAddress: string; status: string };

export const DIRECTION_LABEL: Record<CalendarStatus["direction"], string> = {
  bidirectional: "Both ways",
  to_google: "CRM → Google",
  from_google: "Google → CRM",
};

export const FREQUENCY_LABEL: Record<CalendarStatus["frequency"], string> = {
  realtime: "Realtime (push notifications + hourly check)",
  hourly: "Hourly",
  daily: "Daily",
};
