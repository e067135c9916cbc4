// The compatibility module's rules on their own (the routes' tests send real requests):
// an alias is renamed before the strict schema, both names at once is refused naming the one
// to leave out, unknown fields stay unknown, nested aliases are found under their parent's new
// name, and docs/api-compat.md lists exactly the aliases API_ALIASES declares.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { API_ALIASES, aliasMarkdownTable, aliasNote, aliasRows, renameAliases, withAliases } from "@/lib/compat";
import { zodDetails } from "@/lib/errors";

const body = withAliases(
  "POST /api/v1/meetings",
  z.strictObject({
    topic: z.string(),
    startTime: z.string(),
    addToCalendar: z.strictObject({ integrationId: z.string() }).optional(),
    recurrence: z.strictObject({ type: z.number(), endTimes: z.number().optional() }).optional(),
  }),
);
const details = (v: unknown) => {
  const r = body.safeParse(v);
  return r.success ? [] : zodDetails(r.error);
};

describe("withAliases", () => {
  it("reads an old name as its camelCase name, at the top and nested (under the parent's old or new name)", () => {
    expect(body.parse({ topic: "t", start_time: "x", add_to_calendar: { integration_id: "c" }, recurrence: { type: 1, end_times: 2 } })).toEqual({
      topic: "t",
      startTime: "x",
      addToCalendar: { integrationId: "c" },
      recurrence: { type: 1, endTimes: 2 },
    });
    expect(body.parse({ topic: "t", startTime: "x", addToCalendar: { integration_id: "c" } })).toEqual({ topic: "t", startTime: "x", addToCalendar: { integrationId: "c" } });
  });

  it("leaves the caller's object as it was", () => {
    const input = { topic: "t", start_time: "x", recurrence: { type: 1, end_times: 2 } };
    const copy = structuredClone(input);
    body.parse(input);
    expect(input).toEqual(copy);
  });

  it("refuses both names of one field, naming the old one and the one to keep, even when they agree", () => {
    expect(details({ topic: "t", startTime: "x", start_time: "x" })).toEqual([
      { path: "start_time", message: 'Both "startTime" and its old name "start_time" were sent: keep "startTime" and leave out "start_time"' },
    ]);
    expect(details({ topic: "t", startTime: "x", recurrence: { type: 1, endTimes: 1, end_times: 2 } })).toEqual([
      { path: "recurrence.end_times", message: 'Both "endTimes" and its old name "end_times" were sent: keep "endTimes" and leave out "end_times"' },
    ]);
  });

  it("keeps unknown fields unknown (a near miss of an alias included) and names fields by their camelCase names", () => {
    expect(details({ topic: "t", startTime: "x", start_tme: "x" })).toEqual([{ path: "start_tme", message: 'Unknown field "start_tme"' }]);
    expect(details({ topic: "t", start_time: 5 })).toEqual([{ path: "startTime", message: expect.any(String) }]);
  });

  it("passes what is not an object to the schema untouched", () => {
    expect(details("text")).toEqual([{ path: "", message: expect.any(String) }]);
    expect(renameAliases([1, 2], { a_b: "aB" }, () => {})).toEqual([1, 2]);
  });
});

describe("the alias table", () => {
  it("maps snake_case names to camelCase names of the same depth, each new name once per route", () => {
    for (const [route, a] of Object.entries(API_ALIASES)) {
      expect(route).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \/api\//);
      const news = Object.values(a.fields as Record<string, string>);
      expect(new Set(news).size, route).toBe(news.length);
      for (const [old, neu] of Object.entries(a.fields as Record<string, string>)) {
        expect(old.split(".").length, `${route} ${old}`).toBe(neu.split(".").length);
        expect(old.split(".").pop(), `${route} ${old}`).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)+$/);
        expect(neu.split(".").pop(), `${route} ${neu}`).toMatch(/^[a-z][a-zA-Z0-9]*$/);
      }
    }
  });

  it("docs/api-compat.md lists exactly the aliases API_ALIASES declares", () => {
    const doc = readFileSync(path.join(process.cwd(), "docs/api-compat.md"), "utf8");
    const section = /<!-- aliases:start[^>]*-->\n([\s\S]*?)\n<!-- aliases:end -->/.exec(doc)?.[1];
    expect(section, "the generated table between the aliases markers").toBeDefined();
    expect(section).toBe(aliasMarkdownTable());
    expect(aliasRows().length).toBeGreaterThan(0);
  });

  it("gives each aliased route a note for its documentation", () => {
    expect(aliasNote("POST /api/v1/calls/ringout")).toContain("`driver_id` → `driverId`");
    expect(aliasNote("GET /api/v1/nothing")).toBeUndefined();
  });
});
