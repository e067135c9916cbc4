import { describe, expect, it } from "vitest";
import { formatUtc, nextRunLabel } from "@/lib/format";

describe("nextRunLabel: a scheduled time is never shown as 'next' once it has passed", () => {
  const now = Date.parse("2026-12-07T12:00:00Z");
  it("a future time is 'in …'", () => {
    expect(nextRunLabel(new Date(now + 5 * 60_000), now)).toBe("in 5m");
  });
  it("a time just passed is due now, not 'ago'", () => {
    expect(nextRunLabel(new Date(now - 4_000), now)).toBe("due now");
    expect(nextRunLabel(new Date(now), now)).toBe("due now");
  });
  it("a time long passed is overdue, by how much", () => {
    expect(nextRunLabel(new Date(now - 2 * 3600_000), now)).toBe("overdue by 2h");
  });
  it("never says 'ago'", () => {
    for (const s of [-86400, -3600, -61, -59, -1, 0, 1, 59, 3600]) expect(nextRunLabel(new Date(now + s * 1000), now)).not.toMatch(/ago/);
  });
});

describe("formatUtc: the same text on the server and in any browser", () => {
  it("does not depend on the process's zone or locale", () => {
    expect(formatUtc("2026-12-07T09:05:03.120Z")).toBe("2026-12-07 09:05 UTC");
  });
});
