// The New meeting dialog's rules, shared by the dialog (checked before anything is sent) and
// POST /api/v1/meetings: every field's problem at once, in words a person reads.
import { describe, expect, it } from "vitest";
import { checkForm } from "@/lib/client/form";
import { createMeetingInput } from "@/lib/meetings/contract";

const all = (p: string) => p;

describe("createMeetingInput", () => {
  it("an empty form names the topic, the start and the duration at once", () => {
    const r = checkForm(createMeetingInput, { topic: "  ", duration: 0, timezone: "Mars/Olympus_Mons" }, all);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fields).toEqual({
      topic: "Give the meeting a topic",
      startTime: "An ISO date-time with its offset, e.g. 2026-03-01T10:00:00Z",
      duration: "Enter 1 or more",
      timezone: "An IANA time zone such as Europe/Moscow",
    });
    expect(r.form).toBeNull();
  });

  it("a recurrence's problems come with the other fields', in words (no field names)", () => {
    const r = checkForm(
      createMeetingInput,
      { topic: "", startTime: "2030-05-04T09:30:00Z", duration: 60, recurrence: { type: "daily", repeatInterval: 120 } },
      all,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fields).toEqual({
      topic: "Give the meeting a topic",
      "recurrence.repeatInterval": "At most 99 for a daily meeting",
      "recurrence.endTimes": "Say when it ends: after a number of meetings (1–60) or on a date, one of them",
    });
  });

  it("a last day before the first meeting is named with the other fields' problems", () => {
    const r = checkForm(
      createMeetingInput,
      { topic: "", startTime: "2030-05-04T09:30:00Z", recurrence: { type: "weekly", weeklyDays: [2], endDateTime: "2030-05-01T23:59:00Z" } },
      all,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fields).toEqual({ topic: "Give the meeting a topic", duration: "Required", "recurrence.endDateTime": "The recurrence must end after the first meeting" });
  });

  it("a complete meeting passes, its recurrence in Zoom's terms", () => {
    const r = createMeetingInput.parse({
      topic: " Briefing ",
      startTime: "2030-05-04T09:30:00Z",
      duration: 45,
      timezone: "Europe/Moscow",
      recurrence: { type: "weekly", weeklyDays: [6, 2, 2], endTimes: 4 },
    });
    expect(r).toMatchObject({ topic: "Briefing", recurrence: { type: 2, weeklyDays: "2,6", endTimes: 4, repeatInterval: 1 } });
  });

  it("reads the old snake_case names as aliases (docs/api-compat.md), nested ones too, and refuses both names of one field", () => {
    const r = createMeetingInput.parse({ topic: "Briefing", start_time: "2030-05-04T09:30:00Z", duration: 45, recurrence: { type: "daily", repeat_interval: 2, end_times: 3 }, add_to_calendar: { integration_id: "7f0c1f5e-8c1a-4d2b-9f3e-2a6b1c0d9e8f" } }); // alias (docs/api-compat.md)
    expect(r).toMatchObject({ startTime: "2030-05-04T09:30:00Z", recurrence: { repeatInterval: 2, endTimes: 3 }, addToCalendar: { integrationId: "7f0c1f5e-8c1a-4d2b-9f3e-2a6b1c0d9e8f" } });
    const both = checkForm(createMeetingInput, { topic: "Briefing", startTime: "2030-05-04T09:30:00Z", start_time: "2030-05-04T09:30:00Z", duration: 45 }, all);
    expect(both.ok).toBe(false);
    if (both.ok) return;
    expect(both.fields).toEqual({ start_time: 'Both "startTime" and its old name "start_time" were sent: keep "startTime" and leave out "start_time"' });
  });
});
