// The Settings page's rules, shared by its forms (checked before anything is sent) and
// PATCH /api/v1/settings: every field's problem at once, in words a person reads.
import { describe, expect, it } from "vitest";
import { checkForm } from "@/lib/client/form";
import { settingsPatch } from "@/lib/settings/schema";

const all = (p: string) => p;

describe("settingsPatch", () => {
  it("the organisation's name, time zone and currency are named together", () => {
    const r = checkForm(settingsPatch, { organization: { name: " ", timeZone: "Mars/Olympus_Mons", defaultCurrency: "XYZ1" } }, all);
    expect(r).toEqual({
      ok: false,
      fields: {
        "organization.name": "Give the organisation a name",
        "organization.timeZone": "An IANA time zone such as Europe/Moscow",
        "organization.defaultCurrency": "An ISO 4217 currency code such as RUB, USD or EUR",
      },
      form: null,
    });
  });

  it("retention numbers and the public address say what they take", () => {
    const r = checkForm(settingsPatch, { retention: { logsDays: 0, gpsDays: 1.5, exportTtlHours: Number.NaN }, publicBaseUrl: "https://sb.example.com/app" }, all);
    expect(r).toEqual({
      ok: false,
      fields: {
        "retention.logsDays": "At least 1 day",
        "retention.gpsDays": "A whole number of days",
        "retention.exportTtlHours": "A number of hours",
        publicBaseUrl: "Only scheme, host and port: no path, query or fragment",
      },
      form: null,
    });
  });

  it("null sets a field back to its default; a good patch passes", () => {
    expect(settingsPatch.parse({ organization: { name: null, timeZone: "Asia/Tokyo", defaultCurrency: "usd" } })).toEqual({
      organization: { name: null, timeZone: "Asia/Tokyo", defaultCurrency: "USD" },
    });
  });
});
