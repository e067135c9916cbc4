// Ports (issue 17): when an area must call another one and use the answer at once (meetings
// create a calendar event and keep its id; the Telegram bot lists the open alerts), neither
// imports the other. The port's type is declared here, low in the house; the called area
// provides it in its own bindings.ts (`providePort`), the calling area asks for it (`port`).
// The wiring (lib/wiring) loads every area's bindings, so in the web process, the workers and
// the tests every port is there. A reaction that need not answer is an event (lib/events.ts).
import type { Who } from "@/lib/audit";

/** A new calendar event for another area's thing (a Zoom meeting): checked as POST /calendar/google/events checks it. */
export type CalendarEventDraft = {
  integrationId: string;
  title: string;
  description?: string;
  location?: string;
  /** ISO 8601 with offset */
  start: string;
  end: string;
  timeZone?: string;
  /** the Meeting row (lib/meetings) the event is for */
  meetingId?: string;
  /** Google's recurrence lines (RRULE:…) */
  recurrence?: string[];
  applicationId?: string;
};

/** calendar (lib/calendar/bindings.ts): writes pushed to Google at once, audited as `who` */
export type CalendarEventsPort = {
  create(draft: CalendarEventDraft, who: Who): Promise<{ id: string }>;
  update(id: string, patch: { description?: string | null; location?: string | null }, who: Who): Promise<{ id: string }>;
};

export type OpenAlert = { severity: string; title: string; message: string; occurrences: number; firstSeenAt: Date };

/** alerts (lib/alerts/bindings.ts): the open alerts, most important first, and how many are open */
export type AlertsPort = {
  open(limit: number): Promise<{ items: OpenAlert[]; total: number }>;
};

type Ports = {
  calendarEvents: CalendarEventsPort;
  alerts: AlertsPort;
};
export type PortName = keyof Ports;

// on globalThis: Next.js may load this module more than once in a process (one copy per bundle)
const g = globalThis as unknown as { __sbPorts?: Map<PortName, { area: string; impl: unknown }> };
const ports = (g.__sbPorts ??= new Map());

/**
 * `area` provides the port `name`. Two different areas providing one port is a wiring mistake
 * and throws at startup; the same area providing it again (a module loaded twice) replaces.
 */
export function providePort<N extends PortName>(area: string, name: N, impl: Ports[N]): void {
  const had = ports.get(name);
  if (had && had.area !== area) throw new Error(`The ${name} port is provided by both ${had.area} and ${area}`);
  ports.set(name, { area, impl });
}

/** The port `name`; throws in a process that has not loaded the area providing it (the wiring). */
export function port<N extends PortName>(name: N): Ports[N] {
  const p = ports.get(name);
  if (!p) throw new Error(`No area provides the ${name} port in this process: load the wiring (lib/wiring) first`);
  return p.impl as Ports[N];
}
