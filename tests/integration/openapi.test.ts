// The OpenAPI document (GET /api/v1/openapi.json) against the code it describes: every route
// file under app/api/v1 and every HTTP method it exports is documented, and nothing else is;
// the document is sound OpenAPI 3.1 (refs resolve, ids unique, path parameters declared); the
// schemas are the routes' own zod schemas (spot checks against those schemas and against what
// the routes answer); and the access each operation documents is the access the server enforces.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { z, type ZodObject } from "zod";
import * as openapiRoute from "@/app/api/v1/openapi.json/route";
import * as paymentsRoute from "@/app/api/v1/payments/route";
import { createPaymentInput } from "@/lib/payments/service";
import { createExportInput } from "@/lib/exports/service";
import { FORMATS } from "@/lib/exports/writers";
import { logsQuery } from "@/lib/logs/query";
import { SCOPE_NAMES } from "@/lib/auth/scopes";
import { PERMISSIONS } from "@/lib/auth/roles";
import { publicBaseUrl } from "@/lib/urls";
import type { OpenApiDocument, Operation, Parameter, ResponseObject } from "@/lib/openapi/types";
import { toJsonSchema, toParameters, type JsonSchema } from "@/lib/openapi/schema";
import { undocumentable } from "@/app/api/v1/openapi.json/document";
import { call } from "../helpers/http";
import { createKey, createUser } from "../helpers/fixtures";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const ROOT = process.cwd();
type Handler = Parameters<typeof call>[0];

/** app/api/v1/**\/route.ts, with the URL path each serves ("[id]" segments as "{id}") */
function routeFiles(dir = "app/api/v1"): { file: string; path: string }[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(ROOT, rel)).isDirectory()) return routeFiles(rel);
    if (name !== "route.ts") return [];
    const segments = dir.split("/").slice(1).map((s) => s.replace(/^\[(.+)\]$/, "{$1}"));
    return [{ file: rel, path: `/${segments.join("/")}` }];
  });
}

let doc: OpenApiDocument;
let text: string;
let etag: string;
/** "POST /api/v1/payments" -> the exported handler */
const served = new Map<string, Handler>();

const op = (method: string, p: string) => {
  const o = doc.paths[p]?.[method.toLowerCase() as "get"];
  if (!o) throw new Error(`${method} ${p} is not in the document`);
  return o as Operation;
};
const bodySchema = (o: Operation) => o.requestBody?.content["application/json"]?.schema as { type: string; properties: Record<string, any>; required?: string[] };
/** the keys of a zod object a client must send (neither optional nor defaulted) */
const requiredKeys = (s: ZodObject) => Object.keys(s.shape).filter((k) => !(s.shape[k] as z.ZodType).safeParse(undefined).success);

beforeAll(async () => {
  for (const r of routeFiles()) {
    const mod = (await import(path.join(ROOT, r.file))) as Record<string, unknown>;
    for (const m of METHODS) if (typeof mod[m] === "function") served.set(`${m} ${r.path}`, mod[m] as Handler);
  }
  const res = await call(openapiRoute.GET, { url: "/api/v1/openapi.json" });
  expect(res.status, res.text).toBe(200);
  doc = res.json;
  text = res.text;
  etag = res.headers.get("etag")!;
}, 120_000);

describe("GET /api/v1/openapi.json", () => {
  it("answers JSON without a session or a key, cacheable, with an ETag that revalidates to 304", async () => {
    const res = await call(openapiRoute.GET, { url: "/api/v1/openapi.json" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toMatch(/max-age=\d+/);
    expect(res.headers.get("etag")).toBe(etag);
    expect(res.text).toBe(text); // built once, the same bytes every time
    const again = await call(openapiRoute.GET, { url: "/api/v1/openapi.json", headers: { "if-none-match": `W/"x", ${etag}` } });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
  });

  it("holds no secret of this instance", () => {
    for (const secret of [process.env.NEXTAUTH_SECRET!, process.env.SWITCHBOARD_ENCRYPTION_KEYS!.split(":")[1], process.env.DATABASE_URL!]) {
      expect(text).not.toContain(secret);
    }
  });

  it("names this API: version from package.json, server from the public base URL", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBe("Switchboard API");
    expect(doc.info.version).toBe(pkg.version);
    expect(doc.servers).toEqual([{ url: publicBaseUrl(), description: "This instance" }]);
  });
});

describe("coverage: the document and the route files agree", () => {
  it("documents every HTTP method every app/api/v1 route file exports", () => {
    expect(served.size).toBeGreaterThan(100);
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`)));
    const missing = [...served.keys()].filter((k) => !documented.has(k));
    // a new route file needs `npx tsx app/api/v1/openapi.json/gen-routes.ts` (app/api/v1/openapi.json/routes.generated.ts)
    expect(missing, "routes missing from the document: run `npx tsx app/api/v1/openapi.json/gen-routes.ts`").toEqual([]);
  });

  it("documents nothing that is not served: every path and method is a route file's export", () => {
    const extra: string[] = [];
    const files = routeFiles();
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [m, o] of Object.entries(item)) {
        const key = `${m.toUpperCase()} ${p}`;
        if (!served.has(key)) extra.push(key);
        // and it names the file that serves it
        expect(files.find((r) => r.path === p)?.file, key).toBe((o as Operation)["x-source"]);
      }
    }
    expect(extra, "documented but not served (a route file was removed: regenerate app/api/v1/openapi.json/routes.generated.ts)").toEqual([]);
  });

  it("finds every method made by route() (lib/api.ts), so its access and schemas are described", () => {
    expect(undocumentable(), "wrap these handlers in route(), or expose a route()'s .route as contacts' POST does").toEqual([]);
  });

  it("describes every operation from route(): access, summary and tag", () => {
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [m, o] of Object.entries(item) as [string, Operation][]) {
        const where = `${m.toUpperCase()} ${p}`;
        expect(o.summary.trim().length, where).toBeGreaterThan(3);
        expect(o.description, where).toContain("**Access:**");
        expect(o.tags, where).toEqual([p.split("/")[3].replace(/\.json$/, "")]);
        expect(["public", "session", "session-or-api-key"], where).toContain(o["x-access"]);
      }
    }
  });
});

describe("the document is sound OpenAPI 3.1", () => {
  const operations = () =>
    Object.entries(doc.paths).flatMap(([p, item]) => Object.entries(item).map(([m, o]) => ({ where: `${m.toUpperCase()} ${p}`, path: p, o: o as Operation })));

  it("has the essential shape: every operation with responses, a 2xx among them, known keys only", () => {
    const parameter = z.object({ name: z.string().min(1), in: z.enum(["query", "path", "header", "cookie"]), required: z.boolean(), description: z.string().optional(), schema: z.record(z.string(), z.unknown()) }).strict();
    const response = z.union([
      z.object({ $ref: z.string() }).strict(),
      z.object({ description: z.string().min(1), headers: z.record(z.string(), z.object({ description: z.string().optional(), schema: z.record(z.string(), z.unknown()) })).optional(), content: z.record(z.string(), z.object({ schema: z.record(z.string(), z.unknown()).optional(), example: z.unknown().optional() }).strict()).optional() }).strict(),
    ]);
    const operation = z
      .object({
        operationId: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/),
        summary: z.string().min(1),
        description: z.string().optional(),
        tags: z.array(z.string()).min(1),
        parameters: z.array(parameter).optional(),
        requestBody: z.object({ required: z.boolean(), description: z.string().optional(), content: z.record(z.string(), z.object({ schema: z.record(z.string(), z.unknown()) })) }).strict().optional(),
        responses: z.record(z.string().regex(/^([1-5]\d\d|default)$/), response),
        security: z.array(z.record(z.string(), z.array(z.string()))),
      })
      .catchall(z.unknown())
      .superRefine((o, ctx) => {
        for (const k of Object.keys(o)) {
          if (!["operationId", "summary", "description", "tags", "parameters", "requestBody", "responses", "security"].includes(k) && !k.startsWith("x-")) ctx.addIssue({ code: "custom", message: `unknown operation field ${k}` });
        }
      });
    expect(Object.keys(doc).sort()).toEqual(["components", "info", "openapi", "paths", "servers", "tags"]);
    for (const { where, o } of operations()) {
      const r = operation.safeParse(o);
      expect(r.success, `${where}: ${r.error?.message}`).toBe(true);
      expect(Object.keys(o.responses).some((s) => /^2\d\d$/.test(s)), where).toBe(true);
    }
  });

  it("operationIds are unique", () => {
    const ids = operations().map((x) => x.o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("declares a required path parameter for every {param} in a path, and no other", () => {
    for (const { where, path: p, o } of operations()) {
      const inPath = [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = (o.parameters ?? []).filter((x) => x.in === "path");
      expect(declared.map((x) => x.name).sort(), where).toEqual(inPath);
      for (const x of declared) expect(x.required, `${where} ${x.name}`).toBe(true);
      const keys = (o.parameters ?? []).map((x) => `${x.in}:${x.name.toLowerCase()}`);
      expect(new Set(keys).size, `${where}: duplicate parameters`).toBe(keys.length);
    }
  });

  it("resolves every $ref, uses only declared security schemes and tags", () => {
    const refs: string[] = [];
    const walk = (n: unknown) => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === "object") for (const [k, v] of Object.entries(n)) {
        if (k === "$ref" && typeof v === "string") refs.push(v);
        else walk(v);
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(100);
    for (const ref of refs) {
      expect(ref, ref).toMatch(/^#\//);
      const target = ref
        .slice(2)
        .split("/")
        .reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
      expect(target, `unresolved ${ref}`).toBeTruthy();
    }
    const tags = new Set(doc.tags.map((t) => t.name));
    for (const { where, o } of operations()) {
      for (const t of o.tags) expect(tags.has(t), `${where} tag ${t}`).toBe(true);
      for (const req of o.security) for (const name of Object.keys(req)) expect(doc.components.securitySchemes[name], `${where} ${name}`).toBeTruthy();
    }
  });

  it("has plain draft 2020-12 schemas: valid types, required keys that exist, no converter leftovers", () => {
    const TYPES = ["string", "number", "integer", "boolean", "object", "array", "null"];
    const check = (s: any, where: string): void => {
      if (!s || typeof s !== "object" || Array.isArray(s)) return;
      expect(s.$schema, where).toBeUndefined();
      expect(s["x-absent"], where).toBeUndefined();
      if (typeof s.$ref === "string") expect(s.$ref, where).toMatch(/^#\/components\//);
      if (s.type !== undefined) for (const t of [s.type].flat()) expect(TYPES, `${where}: type ${t}`).toContain(t);
      if (s.properties && Array.isArray(s.required)) for (const k of s.required) expect(Object.keys(s.properties), `${where}: required ${k}`).toContain(k);
      for (const k of ["properties", "patternProperties", "$defs"]) for (const [name, sub] of Object.entries(s[k] ?? {})) check(sub, `${where}.${name}`);
      for (const k of ["items", "additionalProperties", "propertyNames", "not", "contains", "if", "then", "else"]) check(s[k], `${where}.${k}`);
      for (const k of ["anyOf", "oneOf", "allOf", "prefixItems"]) for (const [i, sub] of (s[k] ?? []).entries()) check(sub, `${where}.${k}[${i}]`);
    };
    check(doc.components.schemas, "components.schemas");
    for (const { where, o } of operations()) {
      for (const x of o.parameters ?? []) check(x.schema, `${where} ${x.name}`);
      for (const mt of Object.values(o.requestBody?.content ?? {})) check(mt.schema, `${where} body`);
    }
  });
});

describe("schemas are the routes' own zod schemas", () => {
  it("POST /api/v1/payments: every field of createPaymentInput, the required ones, scope, idempotency, 201", () => {
    const o = op("POST", "/api/v1/payments");
    const body = bodySchema(o);
    expect(body.type).toBe("object");
    expect(Object.keys(body.properties).sort()).toEqual(Object.keys(createPaymentInput.shape).sort());
    expect([...(body.required ?? [])].sort()).toEqual(requiredKeys(createPaymentInput).sort());
    expect(body.required).toEqual(expect.arrayContaining(["amountMinor", "currency"]));
    expect(body.properties.amountMinor.type).toBe("integer");
    expect(body.properties.subscription.properties.interval.enum).toEqual(["day", "week", "month", "year"]);
    expect(o.requestBody!.required).toBe(true);
    expect(o["x-required-scope"]).toBe("payments:write");
    expect(o["x-required-permission"]).toBe("payments.create");
    expect(o["x-roles"]).toEqual([...PERMISSIONS["payments.create"]]);
    expect(o.security).toEqual([{ bearerAuth: ["payments:write"] }, { cookieAuth: [] }]);
    expect(o.description).toContain("`payments:write`");
    expect(o.parameters?.find((x) => x.in === "header")).toMatchObject({ name: "Idempotency-Key", required: false });
    expect(Object.keys(o.responses)).toEqual(expect.arrayContaining(["201", "400", "401", "403", "429"]));
    expect(o.responses["400"]).toEqual({ $ref: "#/components/responses/BadRequest" });
  });

  it("POST /api/v1/exports: type and format enums from the export catalogue, filters optional (defaulted)", () => {
    const o = op("POST", "/api/v1/exports");
    const body = bodySchema(o);
    expect(Object.keys(body.properties).sort()).toEqual(Object.keys(createExportInput.shape).sort());
    expect([...(body.required ?? [])].sort()).toEqual(["format", "type"]);
    expect(body.properties.format.enum).toEqual([...FORMATS]);
    expect(body.properties.type.enum).toEqual((createExportInput.shape.type as unknown as { options: string[] }).options);
    expect(body.properties.filters.default).toEqual({});
    expect(o["x-required-scope"]).toBe("exports:write");
    // 202 with the job, or 200 with the file itself (written by hand in lib/openapi/manual.ts)
    expect(o.responses["202"]).toBeTruthy();
    expect(Object.keys((o.responses["200"] as ResponseObject).content ?? {})).toEqual(expect.arrayContaining(["text/csv", "application/pdf"]));
  });

  it("GET /api/v1/logs: one query parameter per field of logsQuery, dates as date-time strings, the default limit", () => {
    const o = op("GET", "/api/v1/logs");
    const q = (o.parameters ?? []).filter((x) => x.in === "query");
    expect(q.map((x) => x.name).sort()).toEqual(Object.keys(logsQuery.shape).sort());
    expect(q.every((x) => x.required === false)).toBe(true);
    const by = Object.fromEntries(q.map((x) => [x.name, x])) as Record<string, Parameter>;
    expect(by.status.schema).toMatchObject({ type: "string", enum: ["success", "error", "expected"] });
    expect(by.direction.schema.enum).toEqual(["outbound", "inbound"]);
    expect(by.from.schema).toMatchObject({ type: "string", format: "date-time" }); // z.coerce.date(): unrepresentable, mapped
    expect(by.limit.schema).toMatchObject({ type: "integer", minimum: 1, maximum: 200, default: 50 });
    expect(by.integrationId.schema.format).toBe("uuid");
    expect(o.requestBody).toBeUndefined();
    expect(o.security).toEqual([{ bearerAuth: ["logs:read"] }, { cookieAuth: [] }]);
  });

  it("leaves out what a schema forbids and fills in bodies services validate themselves", () => {
    // messageStatsQuery has status: z.undefined(): not a parameter at all
    const stats = op("GET", "/api/v1/messages/stats");
    expect(stats.parameters?.map((x) => x.name)).not.toContain("status");
    expect(stats.parameters?.map((x) => x.name)).toContain("channel");
    // the route takes z.unknown(); lib/messaging/templates parses with templateInput
    const tpl = bodySchema(op("POST", "/api/v1/templates"));
    expect(Object.keys(tpl.properties)).toEqual(expect.arrayContaining(["key", "channel", "name", "body", "subject"]));
    expect(tpl.required).toEqual(expect.arrayContaining(["key", "channel", "name", "body"]));
  });

  it("path parameters come from the route's params schema", () => {
    const o = op("GET", "/api/v1/payments/{id}");
    expect(o.parameters?.find((x) => x.in === "path")).toMatchObject({ name: "id", required: true, schema: { type: "string", format: "uuid" } });
    expect(o.responses["404"]).toEqual({ $ref: "#/components/responses/NotFound" });
  });

  it("session-only and public routes say so", () => {
    const users = op("GET", "/api/v1/users");
    expect(users.security).toEqual([{ cookieAuth: [] }]);
    expect(users["x-required-scope"]).toBeUndefined();
    expect(users["x-roles"]).toEqual(["admin"]);
    expect(users.description).toContain("API keys cannot call it");
    const accept = op("POST", "/api/v1/invites/accept");
    expect(accept.security).toEqual([]);
    expect(accept["x-access"]).toBe("public");
    expect(op("GET", "/api/v1/openapi.json")["x-access"]).toBe("public");
    // public, but a backend may use a key with contacts:write
    expect(op("POST", "/api/v1/contacts").security).toEqual([{}, { bearerAuth: ["contacts:write"] }]);
  });
});

describe("zod schemas JSON Schema cannot say everything about", () => {
  type Node = { name: string; children: Node[] };
  const node: z.ZodType<Node> = z.lazy(() => z.object({ name: z.string(), children: z.array(node) }));
  const address = z.object({ city: z.string() }).meta({ id: "Address", description: "Where" });

  it("never throw, and say what a client sends (io input): dates as date-time, transforms by their input, the rest as any", () => {
    const defs: Record<string, JsonSchema> = {};
    const s = toJsonSchema(
      z.object({
        when: z.coerce.date().describe("When it happened"),
        big: z.bigint().optional(),
        gone: z.undefined().optional(),
        custom: z.custom<string>((v) => typeof v === "string"),
        trimmed: z.string().transform((v) => v.trim()),
        piped: z.string().pipe(z.coerce.number()),
        even: z.number().refine((n) => n % 2 === 0, "even"),
        bare: z.transform((v) => String(v)),
        map: z.map(z.string(), z.number()).optional(),
        count: z.coerce.number().int().default(3),
      }),
      "input",
      defs,
      "T",
    ) as { properties: Record<string, JsonSchema>; required: string[] };
    expect(s.properties.when).toEqual({ type: "string", format: "date-time", description: "When it happened" });
    expect(s.properties.big).toEqual({ type: "integer", format: "int64" });
    expect(s.properties.gone).toBeUndefined(); // must stay absent: not offered at all
    expect(s.properties.custom).toEqual({});
    expect(s.properties.trimmed).toEqual({ type: "string" });
    expect(s.properties.piped).toEqual({ type: "string" });
    expect(s.properties.even).toEqual({ type: "number" });
    expect(s.properties.bare).toEqual({});
    expect(s.properties.map).toEqual({});
    expect(s.properties.count).toMatchObject({ type: "integer", default: 3 });
    expect(s.required.sort()).toEqual(["custom", "even", "piped", "trimmed", "when"]);
    expect(JSON.stringify(s)).not.toContain("$schema");
  });

  it("moves shared and recursive definitions into components, with refs that point there", () => {
    const defs: Record<string, JsonSchema> = {};
    const s = toJsonSchema(z.object({ tree: node, home: address, work: address.optional() }), "input", defs, "T") as { properties: Record<string, JsonSchema> };
    expect(s.properties.home).toEqual({ $ref: "#/components/schemas/Address" });
    expect(s.properties.work).toEqual({ $ref: "#/components/schemas/Address" });
    expect(defs.Address).toMatchObject({ type: "object", properties: { city: { type: "string" } }, description: "Where" });
    const treeRef = (s.properties.tree.$ref as string).split("/").pop()!;
    expect(defs[treeRef]).toMatchObject({ type: "object", properties: { children: { type: "array", items: { $ref: `#/components/schemas/${treeRef}` } } } });
    // a recursive root becomes a component itself
    expect(toJsonSchema(node, "input", defs, "Node")).toEqual({ $ref: "#/components/schemas/Node" });
    expect(defs.Node).toMatchObject({ type: "object", required: ["name", "children"] });
  });

  it("expands query objects into parameters with descriptions from .describe()/.meta(), and keeps unions whole", () => {
    const defs: Record<string, JsonSchema> = {};
    const params = toParameters(z.object({ a: z.string().meta({ description: "A thing" }), b: z.coerce.number().default(3) }), "query", defs, "Q");
    expect(params).toEqual([
      { name: "a", in: "query", required: true, description: "A thing", schema: { type: "string" } },
      { name: "b", in: "query", required: false, schema: { type: "number", default: 3 } },
    ]);
    const union = toParameters(z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]), "query", defs, "U");
    expect(union).toHaveLength(1);
    expect(union[0].schema.anyOf).toHaveLength(2);
    // the live document: a manual query field's description
    expect(op("GET", "/api/v1/tracking/stream").parameters?.find((p) => p.name === "lastEventId")?.description).toMatch(/Last-Event-ID/);
  });
});

describe("what the document says is what the server does", () => {
  it("answers a documented validation error in the documented shape, for the documented required field", async () => {
    const { key } = await createKey(["payments:write"]);
    const res = await call(paymentsRoute.POST, { url: "/api/v1/payments", bearer: key, body: { currency: "USD" } });
    expect(res.status).toBe(400);
    const shape = doc.components.schemas.ValidationError as any;
    expect(Object.keys(res.json)).toEqual(shape.required);
    expect(shape.properties.error.properties.code.enum).toContain(res.json.error.code);
    expect(res.json.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: "amountMinor" })]));
    expect(bodySchema(op("POST", "/api/v1/payments")).required).toContain("amountMinor");
  });

  it("refuses an API key without the documented scope, and session-only routes to any key (every operation)", async () => {
    const all = SCOPE_NAMES as string[];
    const keys = new Map<string, string>();
    const keyWithout = async (scope: string | null) => {
      const id = scope ?? "*";
      if (!keys.has(id)) keys.set(id, (await createKey(all.filter((s) => s !== scope))).key);
      return keys.get(id)!;
    };
    let checked = 0;
    for (const [key, handler] of served) {
      const [method, p] = key.split(" ");
      const o = doc.paths[p]?.[method.toLowerCase() as "get"];
      if (!o || o["x-access"] === "public") continue; // (a missing one fails the coverage test)
      const url = p.replace(/\{[^}]+\}/g, randomUUID());
      const params = Object.fromEntries([...p.matchAll(/\{([^}]+)\}/g)].map((m) => [m[1], randomUUID()]));
      const scope = o["x-required-scope"] ?? null;
      const res = await call(handler, { method, url, params, bearer: await keyWithout(scope), body: method === "GET" || method === "DELETE" ? undefined : {} });
      expect(res.status, `${key}: ${res.text}`).toBe(403);
      expect(res.json.error.message, key).toContain(scope ? `"${scope}"` : "signed-in users");
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  }, 120_000);

  it("refuses a signed-in role the document does not list (every operation closed to viewers)", async () => {
    const viewer = await createUser("viewer");
    let checked = 0;
    for (const [key, handler] of served) {
      const [method, p] = key.split(" ");
      const o = doc.paths[p]?.[method.toLowerCase() as "get"];
      if (!o || o["x-access"] === "public" || o["x-roles"]!.includes("viewer")) continue;
      const params = Object.fromEntries([...p.matchAll(/\{([^}]+)\}/g)].map((m) => [m[1], randomUUID()]));
      const res = await call(handler, { method, url: p.replace(/\{[^}]+\}/g, randomUUID()), params, cookie: viewer.cookie, body: method === "GET" || method === "DELETE" ? undefined : {} });
      expect(res.status, `${key}: ${res.text}`).toBe(403);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  }, 120_000);
});
