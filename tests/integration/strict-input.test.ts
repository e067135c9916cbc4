// No silent input (issue 15 item 17): every request body, query string and path schema of every
// /api/v1 route (read from the routes' own route() options, as the OpenAPI document is), every
// provider's credentials and config, and every export type's filters refuse an unknown field
// with a 400 naming it. A new schema that forgets .strict() fails here, naming it.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { ZodType } from "zod";
import { db } from "@/lib/db";
import { routeEntries } from "@/app/api/v1/openapi.json/document";
import { MANUAL } from "@/lib/openapi/manual";
import { HTTP_METHODS } from "@/lib/openapi/types";
import { listProviders } from "@/lib/providers/registry";
import { SOURCES } from "@/lib/exports/sources";
import { zodDetails } from "@/lib/errors";
import * as exportsRoute from "@/app/api/v1/exports/route";
import * as paymentsRoute from "@/app/api/v1/payments/route";
import * as applicationsRoute from "@/app/api/v1/calendar/google/applications/route";
import * as integrationsRoute from "@/app/api/v1/integrations/route";
import * as integrationRoute from "@/app/api/v1/integrations/[id]/route";
import * as meRoute from "@/app/api/v1/me/route";
import * as oauthStart from "@/app/api/oauth/[provider]/start/route";
import { call } from "../helpers/http";
import { createUser, telegramIntegration } from "../helpers/fixtures";
import { nonStrictObjects } from "../helpers/strict-schemas";

type Schemas = { where: string; schema: ZodType }[];

/** every request schema route() validates with (and the ones MANUAL names for bodies services parse) */
function requestSchemas(): Schemas {
  const out: Schemas = [];
  for (const r of routeEntries()) {
    for (const m of HTTP_METHODS) {
      const h = r.module[m.toUpperCase()] as { route?: { body?: ZodType; query?: ZodType; params?: ZodType } } | undefined;
      if (!h?.route) continue;
      const op = `${m.toUpperCase()} ${r.path}`;
      const manual = MANUAL[op] ?? {};
      for (const [part, schema] of [
        ["body", manual.body ?? h.route.body],
        ["query", h.route.query],
        ["query", manual.query],
        ["params", h.route.params],
      ] as const)
        if (schema) out.push({ where: `${op} ${part}`, schema });
    }
  }
  return out;
}

function providerSchemas(): Schemas {
  return listProviders().flatMap((p) => [
    { where: `provider ${p.id} credentials`, schema: p.credentials as ZodType },
    { where: `provider ${p.id} config`, schema: p.config as ZodType },
  ]);
}

function exportFilterSchemas(): Schemas {
  return Object.entries(SOURCES).map(([type, s]) => ({ where: `export ${type} filters`, schema: s.filters as ZodType }));
}

/** a top-level object schema refuses { zzUnknown } naming it (other fields may be missing too) */
function refusesUnknownTopLevel(schema: ZodType): boolean | "not an object" {
  const r = schema.safeParse({ zzUnknown: 1 });
  if (r.success) return false;
  const details = zodDetails(r.error);
  // (a body that is one item or a list of them names it as the first item's: 0.zzUnknown)
  if (details.some((d) => /(^|\.)zzUnknown$/.test(d.path) && d.message === 'Unknown field "zzUnknown"')) return true;
  // a schema whose top level is not an object (an array, a union of shapes, z.unknown() handed on)
  return details.some((d) => d.path === "" && !/unrecognized/i.test(d.message)) ? "not an object" : false;
}

describe("every request schema is strict", () => {
  it("finds the routes' schemas (sanity: the walk sees bodies, queries and params)", () => {
    const all = requestSchemas();
    expect(all.filter((s) => s.where.endsWith(" body")).length).toBeGreaterThan(40);
    expect(all.filter((s) => s.where.endsWith(" query")).length).toBeGreaterThan(25);
    expect(all.filter((s) => s.where.endsWith(" params")).length).toBeGreaterThan(20);
  });

  it("no object anywhere in a route's body, query or params schema drops unknown keys", () => {
    expect(requestSchemas().flatMap((s) => nonStrictObjects(s.schema, s.where))).toEqual([]);
  });

  it("every provider's credentials and config, and every export type's filters, are strict", () => {
    expect([...providerSchemas(), ...exportFilterSchemas()].flatMap((s) => nonStrictObjects(s.schema, s.where))).toEqual([]);
  });

  it("each of them refuses an unknown top-level key, naming it", () => {
    const lenient = [...requestSchemas(), ...providerSchemas(), ...exportFilterSchemas()]
      .filter((s) => refusesUnknownTopLevel(s.schema) === false)
      .map((s) => s.where);
    expect(lenient).toEqual([]);
  });

  it("the walker itself tells strict from stripping objects, nested ones included", async () => {
    const { z } = await import("zod");
    expect(nonStrictObjects(z.strictObject({ a: z.strictObject({ b: z.string() }) }), "x")).toEqual([]);
    expect(nonStrictObjects(z.strictObject({ a: z.array(z.object({ b: z.string() })).optional() }), "x")).toEqual(["x: a[]"]);
    expect(nonStrictObjects(z.preprocess((v) => v, z.object({})), "y")).toEqual(["y: (top level)"]);
  });
});

describe("an unknown field through the API", () => {
  let admin: Awaited<ReturnType<typeof createUser>>;
  beforeAll(async () => {
    admin = await createUser("admin");
  });

  it("in a body is a 400 naming it, and nothing is written", async () => {
    const before = await db.payment.count();
    const res = await call(paymentsRoute.POST, {
      method: "POST",
      url: "/api/v1/payments",
      cookie: admin.cookie,
      body: { provider: "stripe", amount: 1000, currency: "EUR", descriptoin: "typo" },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("validation_failed");
    expect(res.json.error.message).toContain('"descriptoin"');
    expect(res.json.error.details).toContainEqual({ path: "descriptoin", message: 'Unknown field "descriptoin"' });
    expect(await db.payment.count()).toBe(before);
  });

  it("in a query string is a 400 naming it", async () => {
    const res = await call(applicationsRoute.GET, { url: "/api/v1/calendar/google/applications?q=x&qq=y", cookie: admin.cookie });
    expect(res.status).toBe(400);
    expect(res.json.error.details).toEqual([{ path: "qq", message: 'Unknown field "qq"' }]);
  });

  it("in the query string of a route that takes none is a 400 naming it", async () => {
    const res = await call(meRoute.GET, { url: "/api/v1/me?verbose=1&x=", cookie: admin.cookie });
    expect(res.status).toBe(400);
    expect(res.json.error.details).toEqual([
      { path: "verbose", message: 'Unknown field "verbose"' },
      { path: "x", message: 'Unknown field "x"' },
    ]);
    expect((await call(meRoute.GET, { url: "/api/v1/me", cookie: admin.cookie })).status).toBe(200);
  });

  it("in the OAuth connect link is refused, naming it (a browser redirect with the message)", async () => {
    const res = await call(oauthStart.GET as never, { url: `/api/oauth/google-calendar/start?integration_id=${randomUUID()}&retrun_to=/x`, params: { provider: "google-calendar" }, cookie: admin.cookie }); // alias (docs/api-compat.md)
    expect(res.status).toBe(303);
    expect(decodeURIComponent(res.headers.get("location")!)).toContain('Unknown field "retrun_to"');
  });

  it("in an integration's credentials or config is a 400 naming it (create and update)", async () => {
    const created = await call(integrationsRoute.POST, {
      method: "POST",
      url: "/api/v1/integrations",
      cookie: admin.cookie,
      body: { provider: "telegram", name: `Bot ${randomUUID().slice(0, 6)}`, credentials: { botToken: "123456789:AAbbccddeeffgghhiijjkkllmmnnooppqqr", botTokn: "x" }, config: {} },
    });
    expect(created.status).toBe(400);
    expect(created.json.error.details).toContainEqual({ path: "credentials.botTokn", message: 'Unknown field "botTokn"' });

    const { row } = await telegramIntegration();
    for (const body of [{ credentials: { botTokn: "x" } }, { config: { parseMod: "HTML" } }]) {
      const res = await call(integrationRoute.PATCH, { method: "PATCH", url: `/api/v1/integrations/${row.id}`, params: { id: row.id }, cookie: admin.cookie, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const [field] = Object.keys(Object.values(body)[0]);
      expect(res.json.error.details).toContainEqual({ path: `${Object.keys(body)[0]}.${field}`, message: `Unknown field "${field}"` });
    }
  });
});

describe("POST /api/v1/exports: seed 000's filter names", () => {
  let admin: Awaited<ReturnType<typeof createUser>>;
  const mk = (number: string, pickupAt: string) =>
    db.application.create({ data: { number, pickupAt: new Date(pickupAt), pickupAddress: "A street 1", dropoffAddress: "B street 2", status: "completed", passengers: 1 } });
  const tag = randomUUID().slice(0, 6);

  beforeAll(async () => {
    admin = await createUser("admin");
    await mk(`DEC-${tag}`, "2023-12-31T23:00:00Z");
    await mk(`JAN1-${tag}`, "2024-01-01T08:00:00Z");
    await mk(`JAN31-${tag}`, "2024-01-31T22:00:00Z");
    await mk(`FEB-${tag}`, "2024-02-01T00:00:00Z");
  });

  const exportJson = async (filters: Record<string, unknown>) => {
    const res = await call(exportsRoute.POST, { method: "POST", url: "/api/v1/exports", cookie: admin.cookie, body: { type: "applications", format: "json", filters } });
    return res;
  };
  const numbers = (res: { text: string }) => (JSON.parse(res.text) as { number: string }[]).map((r) => r.number).filter((n) => n.endsWith(tag));

  it("date_from and date_to filter (date_to takes the whole day)", async () => {
    const res = await exportJson({ date_from: "2024-01-01", date_to: "2024-01-31" });
    expect(res.status, res.text).toBe(200);
    expect(numbers(res).sort()).toEqual([`JAN1-${tag}`, `JAN31-${tag}`]);
    const job = await db.exportJob.findUniqueOrThrow({ where: { id: res.headers.get("x-export-id")! } });
    expect(job.filters).toMatchObject({ from: "2024-01-01T00:00:00.000Z", to: "2024-02-01T00:00:00.000Z" });
  });

  it("limit caps the rows", async () => {
    const res = await exportJson({ date_from: "2023-12-01", date_to: "2024-02-29", limit: 2 });
    expect(res.status, res.text).toBe(200);
    expect(JSON.parse(res.text)).toHaveLength(2);
  });

  it("a typo is a 400 naming it, and no export is made", async () => {
    const before = await db.exportJob.count();
    const res = await exportJson({ dateFromm: "2024-01-01" });
    expect(res.status).toBe(400);
    expect(res.json.error.details).toContainEqual({ path: "filters.dateFromm", message: 'Unknown field "dateFromm"' });
    const both = await exportJson({ date_from: "2024-01-01", from: "2024-01-01T00:00:00Z" });
    expect(both.status).toBe(400);
    expect(both.json.error.details[0].path).toBe("filters.date_from");
    expect(await db.exportJob.count()).toBe(before);
  });
});
