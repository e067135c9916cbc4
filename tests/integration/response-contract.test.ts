// The declared response of a route (docs.response, from the area's contract.ts) is checked
// against every successful JSON answer in the tests: a drifted contract fails the suite.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { route } from "@/lib/api";
import { call } from "@/tests/helpers/http";

const item = z.object({ id: z.string(), at: z.string(), tags: z.array(z.object({ name: z.string() })) });

const answering = (value: unknown, status?: number) =>
  route({ access: { public: true }, docs: { response: item } }, async () => (status ? Response.json(value, { status }) : value));

describe("declared responses (tests only)", () => {
  it("lets an answer that matches through, dates read as strings", async () => {
    const r = await call(answering({ id: "a", at: new Date(0), tags: [{ name: "x" }] }));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ id: "a", at: "1970-01-01T00:00:00.000Z", tags: [{ name: "x" }] });
  });

  it("refuses a field of the wrong type, naming it", async () => {
    const r = await call(answering({ id: 1, at: "t", tags: [] }));
    expect(r.status).toBe(500);
    expect(r.json.error.code).toBe("response_contract");
    expect(r.json.error.message).toContain("id:");
  });

  it("refuses a field the contract does not name, however deep", async () => {
    const r = await call(answering({ id: "a", at: "t", tags: [{ name: "x", secret: "s" }] }));
    expect(r.status).toBe(500);
    expect(r.json.error.message).toContain("tags.0.secret");
  });

  it("leaves a JSON file alone: a download is not the route's JSON answer", async () => {
    const file = route({ access: { public: true }, docs: { response: item } }, async () =>
      new Response(JSON.stringify([{ any: "row" }]), { headers: { "content-type": "application/json; charset=utf-8", "content-disposition": 'attachment; filename="rows.json"' } }),
    );
    const r = await call(file);
    expect(r.status).toBe(200);
    expect(r.json).toEqual([{ any: "row" }]);
  });

  it("checks answers the handler built itself, and leaves errors alone", async () => {
    expect((await call(answering({ id: "a" }, 201))).status).toBe(500);
    const refused = await call(answering({ error: { code: "x", message: "m" } }, 409));
    expect(refused.status).toBe(409);
  });
});
