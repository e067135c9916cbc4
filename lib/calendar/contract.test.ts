// The event dialog's rules, shared by the dialog (checked before anything is sent) and the
// calendar events API: every field's problem at once, in words a person reads.
import { describe, expect, it } from "vitest";
import { checkForm } from "@/lib/client/form";
import { createEventBody, updateEventInput } from "@/lib/calendar/contract";

const all = (p: string) => p;
const fieldsOf = (r: ReturnType<typeof checkForm>) => (r.ok ? {} : r.fields);

describe("createEventBody", () => {
  it("an empty new event names its title and start, with the other fields' problems", () => {
    const r = checkForm(createEventBody, { allDay: false, timeZone: "Mars/Olympus_Mons", attendees: [{ email: "nobody" }], reminders: { useDefault: false, overrides: [{ method: "popup", minutes: 50_000 }] } }, all);
    expect(fieldsOf(r)).toEqual({
      title: "Give the event a title",
      start: "Give the start date and time",
      timeZone: "An IANA time zone such as Europe/Moscow",
      "attendees.0.email": "Enter a valid e-mail address",
      "reminders.overrides.0.minutes": "At most 4 weeks (40320 minutes)",
    });
  });

  it("an end before its start is named at the end, for timed and all-day events", () => {
    expect(fieldsOf(checkForm(createEventBody, { title: "", start: "2030-05-04T10:00:00+03:00", end: "2030-05-04T09:00:00+03:00" }, all))).toEqual({
      title: "Give the event a title",
      end: "The event must end after it starts",
    });
    expect(fieldsOf(checkForm(createEventBody, { title: "Trip", allDay: true, startDate: "2030-05-04", endDate: "2030-05-04" }, all))).toEqual({
      endDate: "The event must end after it starts",
    });
  });

  it("an application fills the title and start; a complete event passes", () => {
    expect(checkForm(createEventBody, { applicationId: "8f0e7c1e-2b1a-4c1d-9a51-7d1b1f0a0c11" }, all).ok).toBe(true);
    expect(createEventBody.parse({ title: " Pickup ", start: "2030-05-04T10:00:00+03:00", attendees: [{ email: " Nina@E2E.test " }] })).toMatchObject({
      title: "Pickup",
      allDay: false,
      attendees: [{ email: "nina@e2e.test" }],
    });
  });
});

describe("updateEventInput", () => {
  it("a patch may leave the title out, but not make the event end before it starts", () => {
    expect(checkForm(updateEventInput, { location: "Terminal B" }, all).ok).toBe(true);
    expect(fieldsOf(checkForm(updateEventInput, { title: " ", start: "2030-05-04T10:00:00Z", end: "2030-05-04T10:00:00Z" }, all))).toEqual({
      title: "Give the event a title",
      end: "The event must end after it starts",
    });
  });
});
