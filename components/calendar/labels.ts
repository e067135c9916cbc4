// The Calendar page's words for an integration's sync settings (the API's shapes are in
// lib/calendar/contract.ts).
import type { CalendarStatus } from "@/lib/calendar/contract";

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
