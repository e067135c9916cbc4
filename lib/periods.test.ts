import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addInterval, parseWaits } from "@/lib/periods";

const at = (iso: string) => new Date(iso);

describe("addInterval: billing periods in UTC calendar units", () => {
  it("days and weeks", () => {
    expect(addInterval(at("2027-02-27T10:00:00Z"), "day", 2).toISOString()).toBe("2027-03-01T10:00:00.000Z");
    expect(addInterval(at("2027-12-29T23:59:59Z"), "week").toISOString()).toBe("2028-01-05T23:59:59.000Z");
  });
  it("a month after the 31st is the last day of a shorter month, the time of day kept", () => {
    expect(addInterval(at("2027-01-31T08:30:00Z"), "month").toISOString()).toBe("2027-02-28T08:30:00.000Z");
    expect(addInterval(at("2028-01-31T08:30:00Z"), "month").toISOString()).toBe("2028-02-29T08:30:00.000Z");
    expect(addInterval(at("2027-03-15T00:00:00Z"), "month", 3).toISOString()).toBe("2027-06-15T00:00:00.000Z");
    expect(addInterval(at("2027-11-30T00:00:00Z"), "month", 2).toISOString()).toBe("2028-01-30T00:00:00.000Z");
  });
  it("a year after 29 February is 28 February", () => {
    expect(addInterval(at("2028-02-29T12:00:00Z"), "year").toISOString()).toBe("2029-02-28T12:00:00.000Z");
  });
  it("property: the end is always after the start, and within the interval's longest length", () => {
    const longest = { day: 1, week: 7, month: 31, year: 366 } as const;
    fc.assert(
      fc.property(
        fc.date({ min: at("2000-01-01T00:00:00Z"), max: at("2100-01-01T00:00:00Z"), noInvalidDate: true }),
        fc.constantFrom("day", "week", "month", "year" as const),
        fc.integer({ min: 1, max: 12 }),
        (d, interval, count) => {
          const end = addInterval(d, interval, count);
          const days = (end.getTime() - d.getTime()) / 86_400_000;
          expect(days).toBeGreaterThan(0);
          expect(days).toBeLessThanOrEqual(longest[interval] * count);
          expect(end.getUTCHours()).toBe(d.getUTCHours());
        },
      ),
    );
  });
});

describe("parseWaits", () => {
  it("reads s, m, h, d; refuses anything else", () => {
    expect(parseWaits("1h, 1d,3d")).toEqual([3600, 86_400, 259_200]);
    expect(parseWaits("30s,5m")).toEqual([30, 300]);
    expect(() => parseWaits("1h,2w")).toThrow(/"2w" is not a wait/);
  });
});
