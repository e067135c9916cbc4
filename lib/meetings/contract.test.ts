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
      start_time: "An ISO date-time with its offset, e.g. 2026-03-01T10:00:00Z",
      duration: "Enter 1 or more",
      timezone: "An IANA time zone such as Europe/Moscow",
    });
    expect(r.form).toBeNull();
  });

  it("a recurrence's problems come with the other fields', in words (no field names)", () => {
    const r = checkForm(
      createMeetingInput,
      { topic: "", start_time: "2030-05-04T09:30:00Z", duration: 60, recurrence: { type: "daily", repeat_interval: 120 } },
      all,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fields).toEqual({
      topic: "Give the meeting a topic",
      "recurrence.repeat_interval": "At most 99 for a daily meeting",
      "recurrence.end_times": "Say when it ends: after a number of meetings (1–60) or on a date, one of them",
    });
  });

  it("a last day before the first meeting is named with the other fields' problems", () => {
    const r = checkForm(
      createMeetingInput,
      { topic: "", start_time: "2030-05-04T09:30:00Z", recurrence: { type: "weekly", weekly_days: [2], end_date_time: "2030-05-01T23:59:00Z" } },
      all,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.fields).toEqual({ topic: "Give the meeting a topic", duration: "Required", "recurrence.end_date_time": "The recurrence must end after the first meeting" });
  });

  it("a complete meeting passes, its recurrence in Zoom's terms", () => {
    const r = createMeetingInput.parse({
      topic: " Briefing ",
      start_time: "2030-05-04T09:30:00Z",
      duration: 45,
      timezone: "Europe/Moscow",
      recurrence: { type: "weekly", weekly_days: [6, 2, 2], end_times: 4 },
    });
    expect(r).toMatchObject({ topic: "Briefing", recurrence: { type: 2, weekly_days: "2,6", end_times: 4, repeat_interval: 1 } });
  });
});
