// Google push channels renewed before they expire (owned by the calendar work; see lib/calendar).
// PLACEHOLDER until the calendar module lands: renews nothing yet.
export async function renewCalendarChannels(): Promise<number> {
  return 0;
}
