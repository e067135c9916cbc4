// Bad requests for every operation of the OpenAPI document (issue 15 item 18), generated with
// fast-check from the document itself and sent to the route handlers in-process (the handler
// each path and method maps to, as Next.js would call it): malformed JSON, wrong types, unknown
// fields, oversized strings and arrays, NUL characters, invalid ids, malformed percent-encoding
// in path segments (through the node:http front's guard), bodies over the limit, wrong content
// types, no credentials, each role and an API key without scopes.
//
// For every answer: never a 5xx; a 4xx in the error shape ({ error: { code, message } }); no
// stack trace, file path or secret in the text; and nothing written to the database by a refused
// request (row count and row versions of every table, before and after). Where the class decides
// the answer (401 without credentials, 403 for a role the document does not list, 400 for bad
// JSON or an unknown field, 413, 415) it is checked too.
//
// FUZZ_SEED picks another sample (the default is fixed, so CI is repeatable); FUZZ_RUNS scales
// how many values each generated class draws per operation.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pgPool } from "@/lib/pg";
import { env } from "@/lib/env";
import { openApiDocument, routeEntries } from "@/app/api/v1/openapi.json/document";
import { OPENAPI_PATH } from "@/lib/openapi/self";
import type { JsonSchema, OpenApiDocument, Operation, Parameter } from "@/lib/openapi/types";
import * as openapiRoute from "@/app/api/v1/openapi.json/route";
import { refuseMalformedPath } from "@/lib/runtime/front-guard";
import { call } from "../helpers/http";
import { createKey, createUser, telegramIntegration, webhookIntegration } from "../helpers/fixtures";

type Handler = Parameters<typeof call>[0];
type Role = "viewer" | "dispatcher" | "admin";

const SEED = Number(process.env.FUZZ_SEED ?? 15_18);
const RUNS = Math.max(1, Number(process.env.FUZZ_RUNS ?? 1));
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

type Op = {
  method: string;
  path: string;
  handler: Handler;
  pathParams: string[];
  /** each path parameter's schema: well-formed ids come from it */
  pathSchemas: Record<string, JsonSchema>;
  query: Parameter[];
  /** the request body's schema, resolved ($ref followed) */
  body?: JsonSchema;
  isPublic: boolean;
  roles: Role[];
  scope?: string;
};

type Req = {
  op: Op;
  label: string;
  url: string;
  params: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  cookie?: string;
  bearer?: string;
  /** the status this class must get (any of), when it is decided by the class alone */
  expect?: number[];
  /** text the answer must name (the unknown field, the NUL's field) */
  names?: string;
};

let doc: OpenApiDocument;
const ops: Op[] = [];
let cookies: Record<Role, string>;
let noScopeKey: string;
const secrets: string[] = [];
/** real rows for GETs in the role class, so answers carry data worth checking for secrets */
const realIds: Record<string, string> = {};
const violations: string[] = [];
let sent = 0;
let tables: string[] = [];
let snapshotSql = "";

// ───────────── the document: schemas, sample values ─────────────

function resolve(s: JsonSchema | undefined, depth = 0): JsonSchema {
  if (!s || depth > 10) return s ?? {};
  if (typeof s.$ref === "string") return resolve(doc.components.schemas[s.$ref.split("/").pop()!], depth + 1);
  return s;
}

const typesOf = (s: JsonSchema): string[] => {
  const r = resolve(s);
  if (Array.isArray(r.type)) return r.type as string[];
  if (typeof r.type === "string") return [r.type];
  for (const k of ["anyOf", "oneOf", "allOf"]) if (Array.isArray(r[k])) return (r[k] as JsonSchema[]).flatMap(typesOf);
  return [];
};

/** A plausible value for a schema: enough for a body to get past its other fields more often than not. */
function sample(s: JsonSchema | undefined, depth = 0): unknown {
  const r = resolve(s);
  if (depth > 6) return null;
  if ("const" in r) return r.const;
  if (Array.isArray(r.enum)) return r.enum[0];
  if ("default" in r) return r.default;
  for (const k of ["anyOf", "oneOf"]) if (Array.isArray(r[k])) return sample((r[k] as JsonSchema[])[0], depth + 1);
  if (Array.isArray(r.allOf)) return sample((r.allOf as JsonSchema[])[0], depth + 1);
  const type = Array.isArray(r.type) ? (r.type as string[]).find((t) => t !== "null") : r.type;
  switch (type) {
    case "object": {
      const props = (r.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((r.required as string[] | undefined) ?? []);
      return Object.fromEntries(Object.entries(props).filter(([k]) => required.has(k)).map(([k, v]) => [k, sample(v, depth + 1)]));
    }
    case "array":
      return typeof r.minItems === "number" && r.minItems > 0 ? [sample(r.items as JsonSchema, depth + 1)] : [];
    case "integer":
    case "number":
      return typeof r.minimum === "number" ? r.minimum : 1;
    case "boolean":
      return true;
    case "string": {
      if (r.format === "uuid") return randomUUID();
      if (r.format === "date-time") return new Date().toISOString();
      if (r.format === "date") return new Date().toISOString().slice(0, 10);
      if (r.format === "email") return "fuzz@example.test";
      if (r.format === "uri") return "https://example.test/";
      const min = typeof r.minLength === "number" ? r.minLength : 1;
      return "x".repeat(Math.max(1, Math.min(min, 50)));
    }
    default:
      return "x";
  }
}

/** Values of another JSON type than the schema allows. */
function wrongTypeValue(s: JsonSchema): fc.Arbitrary<unknown> {
  const allowed = new Set(typesOf(s));
  const all: [string, fc.Arbitrary<unknown>][] = [
    ["string", fc.string({ maxLength: 20 })],
    ["number", fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(-1, 0, 1e308, -1e308, 2 ** 53 + 1))],
    ["integer", fc.constantFrom(1.5, -0.5)],
    ["boolean", fc.boolean()],
    ["null", fc.constant(null)],
    ["array", fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 })],
    ["object", fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 })],
  ];
  // (1.5 is a number: not wrong where numbers are allowed)
  const wrong = all.filter(([t]) => !allowed.has(t) && !(t === "integer" && allowed.has("number")));
  return fc.oneof(...(wrong.length ? wrong : all).map(([, a]) => a));
}

/** Strings and arrays past their limit (or simply very long when the schema sets none). */
function oversizedValue(s: JsonSchema): fc.Arbitrary<unknown> {
  const r = resolve(s);
  const types = typesOf(r);
  const out: fc.Arbitrary<unknown>[] = [];
  if (types.includes("string") || !types.length) {
    const max = typeof r.maxLength === "number" ? r.maxLength : 0;
    out.push(fc.integer({ min: max + 1, max: max + 64 }).map((n) => "y".repeat(n)), fc.constant("z".repeat(100_000)), fc.constant("é€😀".repeat(20_000)));
  }
  if (types.includes("array")) {
    const max = typeof r.maxItems === "number" ? r.maxItems : 0;
    out.push(fc.constant(Array.from({ length: Math.max(max + 1, 10_001) }, () => "x")));
    out.push(fc.constant(Array.from({ length: max + 1 }, () => sample(r.items as JsonSchema))));
  }
  if (types.includes("integer") || types.includes("number")) out.push(fc.constantFrom(Number.MAX_SAFE_INTEGER * 4, -Number.MAX_SAFE_INTEGER * 4, 1e300));
  return out.length ? fc.oneof(...out) : fc.constant("w".repeat(100_000));
}

/** Path ids no route should choke on: garbage, traversal, injection, huge, unicode, NUL, empty. */
const badId = fc.oneof(
  fc.constantFrom("0", "-1", "null", "undefined", "../../etc/passwd", "' or 1=1 --", "1e309", "9".repeat(40), "\u0000", "a\u0000b", " ", "%", "%ff", "ｉｄ", "😀", "x".repeat(5000), "{id}", "[object Object]"),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.uuid(),
  fc.integer().map(String),
);

const notJson = fc.oneof(
  fc.constantFrom("{", "}", "[1,2", '{"a":}', "{'a':1}", '{"a":1,}', "nul", "tru", "01", "NaN", "Infinity", '"unterminated', "{\"a\":\"\\u00\"}", "<xml/>", "a=1&b=2", "\u0000", "{}{}"),
  fc.string({ minLength: 1, maxLength: 200 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return s.trim().length > 0;
    }
  }),
);

// ───────────── the database: nothing written on a refusal ─────────────

async function snapshot(): Promise<Map<string, string>> {
  // a named (prepared) statement: planning 40-odd subqueries costs far more than running them
  const [row] = (await pgPool().query<Record<string, string>>({ name: "fuzz_snapshot", text: snapshotSql })).rows;
  return new Map(Object.entries(row));
}

/**
 * What a refused request may write by design: the rate limiter's counters (a refused request
 * still counts against its caller), an API key's usage (the overview counts refusals by key)
 * and when and from where a valid key was last presented.
 */
const WRITTEN_ON_REFUSAL = new Set(["rate_limits", "api_key_usage"]);
const BOOKKEEPING_COLUMNS: Record<string, string[]> = { api_keys: ["last_used_at", "last_used_ip"] };

// ───────────── sending and judging ─────────────

const STACK = /\n\s+at\s|\bat (?:async )?[\w$.<>]+ \((?:file:|\/|node:)|\(?(?:file:\/\/)?\/(?:work|app|home|usr|root|tmp)\/[^\s"']+\.(?:ts|tsx|js|mjs):\d+|node_modules\/|webpack-internal:|\bat Object\.<anonymous>/;

function fillPath(op: Op, params: Record<string, string>) {
  return op.path.replace(/\{([^}]+)\}/g, (_, k: string) => encodeURIComponent(params[k] ?? ""));
}

async function send(r: Req) {
  const where = `${r.op.method} ${r.op.path} [${r.label}]`;
  const before = await snapshot();
  let res: Awaited<ReturnType<typeof call>>;
  try {
    res = await call(r.op.handler, {
      method: r.op.method,
      url: r.url,
      params: r.params,
      headers: r.headers,
      body: r.body,
      rawBody: r.rawBody,
      cookie: r.cookie,
      bearer: r.bearer,
      headOfStreams: true,
    });
  } catch (e) {
    violations.push(`${where}: the handler threw ${(e as Error).message?.slice(0, 200)}`);
    return;
  } finally {
    sent++;
  }
  judge(where, r, res.status, res.text, res.json);
  if (res.status >= 400) {
    const after = await snapshot();
    const changed = [...after].filter(([t, v]) => before.get(t) !== v && !WRITTEN_ON_REFUSAL.has(t)).map(([t]) => t);
    if (changed.length) violations.push(`${where}: answered ${res.status} but wrote to ${changed.join(", ")}`);
  }
}

function judge(where: string, r: Req, status: number, text: string, json: unknown) {
  if (status >= 500) violations.push(`${where}: ${status} ${text.slice(0, 300)}`);
  if (status >= 400) {
    const e = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    if (!e || typeof e.code !== "string" || typeof e.message !== "string") violations.push(`${where}: ${status} not in the error shape: ${text.slice(0, 200)}`);
  }
  if (STACK.test(text)) violations.push(`${where}: a stack trace or file path in the answer: ${text.match(STACK)?.[0]}`);
  for (const s of secrets) if (s && text.includes(s)) violations.push(`${where}: a secret in the answer (${s.slice(0, 4)}…)`);
  if (r.expect && !r.expect.includes(status)) violations.push(`${where}: expected ${r.expect.join(" or ")}, got ${status} ${text.slice(0, 200)}`);
  if (r.names && status === 400 && !text.includes(JSON.stringify(r.names).slice(1, -1))) violations.push(`${where}: the 400 does not name ${JSON.stringify(r.names)}: ${text.slice(0, 200)}`);
}

/** a request as an allowed admin would send it: well-formed ids, the sample body */
function base(op: Op, label: string, over: Partial<Req> = {}): Req {
  const params = Object.fromEntries(op.pathParams.map((p) => [p, String(sample(op.pathSchemas[p]))]));
  return { op, label, url: fillPath(op, params), params, cookie: cookies.admin, ...over };
}

const adminMay = (op: Op) => op.isPublic || op.roles.includes("admin");
const objectBody = (op: Op) => !!op.body && typeOfBody(op) === "object";
function typeOfBody(op: Op) {
  return typesOf(op.body!)[0];
}
function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
const draw = <T,>(a: fc.Arbitrary<T>, n: number, salt: number) => fc.sample(a, { numRuns: n, seed: SEED + salt });

// ───────────── setup ─────────────

beforeAll(async () => {
  doc = openApiDocument("http://localhost:3000");
  const handlers = new Map<string, Handler>();
  for (const r of routeEntries()) {
    for (const m of METHODS) {
      const h = r.path === OPENAPI_PATH ? (openapiRoute as Record<string, unknown>)[m.toUpperCase()] : r.module[m.toUpperCase()];
      if (typeof h === "function") handlers.set(`${m} ${r.path}`, h as Handler);
    }
  }
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      const o = item[m] as Operation | undefined;
      if (!o) continue;
      const handler = handlers.get(`${m} ${path}`);
      if (!handler) throw new Error(`no handler for ${m} ${path}`);
      const params = o.parameters ?? [];
      ops.push({
        method: m.toUpperCase(),
        path,
        handler,
        pathParams: params.filter((p) => p.in === "path").map((p) => p.name),
        pathSchemas: Object.fromEntries(params.filter((p) => p.in === "path").map((p) => [p.name, p.schema])),
        query: params.filter((p) => p.in === "query"),
        body: o.requestBody ? resolve(o.requestBody.content["application/json"]?.schema) : undefined,
        isPublic: o["x-access"] === "public",
        roles: (o["x-roles"] ?? []) as Role[],
        scope: o["x-required-scope"],
      });
    }
  }

  const [viewer, dispatcher, admin] = await Promise.all([createUser("viewer"), createUser("dispatcher"), createUser("admin")]);
  cookies = { viewer: viewer.cookie, dispatcher: dispatcher.cookie, admin: admin.cookie };
  noScopeKey = (await createKey([])).key;
  const tg = await telegramIntegration();
  const hook = await webhookIntegration();
  realIds["/api/v1/integrations/{id}"] = tg.row.id;
  secrets.push(
    process.env.NEXTAUTH_SECRET!,
    process.env.SWITCHBOARD_ENCRYPTION_KEYS!.split(":")[1],
    process.env.DATABASE_URL!,
    tg.token,
    tg.token.split(":")[1],
    hook.secret,
    noScopeKey,
  );

  tables = (
    await pgPool().query<{ t: string }>(`select tablename as t from pg_tables where schemaname = 'public' and tablename not like '\\_%' order by 1`)
  ).rows.map((r) => r.t);
  expect(tables.length).toBeGreaterThan(30);
  for (const t of WRITTEN_ON_REFUSAL) expect(tables, t).toContain(t);
  // one statement, one row: each table's row count and the sum of its rows' versions (xmin changes on update)
  // (a table with bookkeeping columns: its rows without them, hashed)
  const version = (t: string) =>
    BOOKKEEPING_COLUMNS[t]
      ? `md5(coalesce(string_agg((to_jsonb(r) ${BOOKKEEPING_COLUMNS[t].map((c) => `- '${c}'`).join(" ")})::text, ',' order by r::text), ''))`
      : `coalesce(sum(xmin::text::bigint), 0)::text`;
  snapshotSql = `select ${tables.map((t) => `(select count(*)::text || '/' || ${version(t)} from "${t}" r) as "${t}"`).join(", ")}`;
}, 120_000);

afterAll(() => {
  console.log(`fuzz-api: ${sent} requests to ${ops.length} operations (seed ${SEED}, runs ×${RUNS})`);
});

// ───────────── the classes ─────────────

describe("bad requests to every operation of the OpenAPI document", { timeout: 240_000 }, () => {
  // each class reports its own findings
  beforeEach(() => {
    violations.length = 0;
  });

  it("covers the whole document", () => {
    expect(ops.length).toBeGreaterThan(100);
    expect(ops.filter((o) => o.body).length).toBeGreaterThan(40);
  });

  it("no credentials: 401 (public operations: anything but a 5xx)", async () => {
    for (const op of ops) await send(base(op, "no credentials", { cookie: undefined, expect: op.isPublic ? undefined : [401] }));
    expect(violations).toEqual([]);
  });

  it("each role, and an API key without scopes: 403 where the document does not list them", async () => {
    for (const op of ops) {
      for (const role of ["viewer", "dispatcher", "admin"] as const) {
        const real = op.method === "GET" ? realIds[op.path] : undefined;
        const params = Object.fromEntries(op.pathParams.map((p) => [p, real ?? randomUUID()]));
        await send({ op, label: role, url: fillPath(op, params), params, cookie: cookies[role], expect: op.isPublic || op.roles.includes(role) ? undefined : [403] });
      }
      // a body must not be needed to be refused: the scope check comes first
      await send(base(op, "API key without scopes", { cookie: undefined, bearer: noScopeKey, expect: op.isPublic ? undefined : [403] }));
    }
    expect(violations).toEqual([]);
  });

  it("malformed JSON: 400", async () => {
    for (const [i, op] of ops.filter((o) => o.body && adminMay(o)).entries()) {
      for (const raw of draw(notJson, 2 * RUNS, i)) {
        await send(base(op, `malformed JSON ${JSON.stringify(raw.slice(0, 20))}`, { rawBody: raw, headers: { "content-type": "application/json" }, expect: [400] }));
      }
    }
    expect(violations).toEqual([]);
  });

  it("wrong content types: 415", async () => {
    const types = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "application/jsonx", "text/json"];
    for (const [i, op] of ops.filter((o) => o.body && adminMay(o)).entries()) {
      const [ct] = draw(fc.constantFrom(...types), 1, i);
      await send(base(op, `content-type ${ct}`, { rawBody: "{}", headers: { "content-type": ct }, expect: [415] }));
      await send(base(op, "no content-type", { rawBody: "{}", expect: [415] }));
    }
    expect(violations).toEqual([]);
  });

  it("bodies over the limit: 413, whether declared or not", async () => {
    const limit = env().API_BODY_LIMIT_BYTES;
    const big = `{"a":"${"x".repeat(limit)}"}`;
    for (const op of ops.filter((o) => o.body && adminMay(o))) {
      // the few larger routes (bulk sends, attachments) are checked by their declared length
      await send(base(op, "declared length over every limit", { rawBody: "{}", headers: { "content-type": "application/json", "content-length": String(64 * 1_048_576) }, expect: [413] }));
      if (!/\/(bulk|email\/send)$/.test(op.path)) await send(base(op, "body over the limit", { rawBody: big, headers: { "content-type": "application/json" }, expect: [413] }));
    }
    expect(violations).toEqual([]);
  });

  it("unknown fields in a body or a query string: 400 naming them", async () => {
    const key = fc.stringMatching(/^[a-z][a-zA-Z_]{2,12}$/).map((k) => `zz${k}`);
    for (const [i, op] of ops.filter(adminMay).entries()) {
      if (objectBody(op)) {
        for (const k of draw(key, RUNS, i)) {
          const body = { ...(sample(op.body) as object), [k]: "typo" };
          await send(base(op, `unknown body field ${k}`, { body, expect: [400], names: k }));
        }
      }
      // (a route that declares no query string takes none either)
      for (const k of draw(key, RUNS, 1000 + i)) {
        const b = base(op, `unknown query field ${k}`, { expect: [400], names: k });
        await send({ ...b, url: `${b.url}?${k}=1` });
      }
    }
    expect(violations).toEqual([]);
  });

  it("wrong types and oversized strings, arrays and numbers in each field: never a 5xx", async () => {
    for (const [i, op] of ops.filter(adminMay).entries()) {
      if (objectBody(op)) {
        const props = (op.body!.properties ?? {}) as Record<string, JsonSchema>;
        for (const [j, [field, schema]] of Object.entries(props).entries()) {
          const values = [...draw(wrongTypeValue(schema), RUNS, i * 100 + j), ...draw(oversizedValue(schema), RUNS, i * 100 + j + 50)];
          for (const v of values) {
            await send(base(op, `body ${field}=${JSON.stringify(v)?.slice(0, 30)}`, { body: { ...(sample(op.body) as object), [field]: v } }));
          }
        }
      } else if (op.body) {
        for (const v of draw(fc.oneof(fc.jsonValue({ maxDepth: 2 }), oversizedValue(op.body)), 2 * RUNS, i)) await send(base(op, `body ${JSON.stringify(v)?.slice(0, 30)}`, { body: v }));
      }
      for (const [j, p] of op.query.entries()) {
        const values = draw(
          fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("-1", "0", "1e309", "NaN", "9".repeat(30), "true", "[]", "{}", "2026-13-45", "x".repeat(10_000))),
          RUNS,
          i * 100 + j + 5000,
        );
        for (const v of values) {
          const b = base(op, `query ${p.name}=${v.slice(0, 30)}`);
          await send({ ...b, url: `${b.url}?${new URLSearchParams({ [p.name]: v })}` });
          // the same field twice (an array where one value is expected)
          await send({ ...b, label: `query ${p.name} twice`, url: `${b.url}?${new URLSearchParams([[p.name, v], [p.name, v]])}` });
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it("a NUL character in any text field: 400 naming it", async () => {
    for (const [i, op] of ops.filter(adminMay).entries()) {
      if (objectBody(op)) {
        const props = Object.entries((op.body!.properties ?? {}) as Record<string, JsonSchema>).filter(([, s]) => typesOf(s).includes("string"));
        for (const [field] of props) {
          await send(base(op, `NUL in body ${field}`, { body: { ...(sample(op.body) as object), [field]: "a\u0000b" }, expect: [400], names: field }));
        }
      }
      for (const p of op.query) {
        const [v] = draw(fc.string({ maxLength: 8 }).map((s) => `${s}\u0000${s}`), 1, 7000 + i);
        const b = base(op, `NUL in query ${p.name}`, { expect: [400], names: p.name });
        await send({ ...b, url: `${b.url}?${new URLSearchParams({ [p.name]: v })}` });
      }
    }
    expect(violations).toEqual([]);
  });

  it("invalid ids in the path: 400 or 404, never a 5xx", async () => {
    for (const [i, op] of ops.filter((o) => o.pathParams.length && adminMay(o)).entries()) {
      for (const id of draw(badId, 4 * RUNS, 9000 + i)) {
        const params = Object.fromEntries(op.pathParams.map((p) => [p, id]));
        await send({ op, label: `id ${JSON.stringify(id.slice(0, 30))}`, url: fillPath(op, params), params, cookie: cookies.admin, body: op.body ? sample(op.body) : undefined });
      }
    }
    expect(violations).toEqual([]);
  });

  describe("malformed percent-encoding in a path segment, through the node:http front", () => {
    let server: http.Server;
    let url: string;
    const dynamic = () => ops.filter((o) => o.pathParams.length);

    beforeAll(async () => {
      // the front's order (scripts/server.ts): its guard, then the router; like Next.js' router,
      // this one decodes each dynamic segment and cannot answer one that does not decode
      server = http.createServer((req, res) => {
        if (refuseMalformedPath(req, res)) return;
        const path = (req.url ?? "/").split("?")[0];
        const op = dynamic().find((o) => o.method === req.method && new RegExp(`^${o.path.replace(/\{[^}]+\}/g, "[^/]+")}$`).test(path));
        try {
          const names = op?.path.match(/\{[^}]+\}/g) ?? [];
          const values = path.match(new RegExp(`^${op?.path.replace(/\{[^}]+\}/g, "([^/]+)")}$`))?.slice(1) ?? [];
          const params = Object.fromEntries(names.map((n, i) => [n.slice(1, -1), decodeURIComponent(values[i])]));
          call(op!.handler, { method: req.method, url: req.url, params, cookie: req.headers.cookie, headOfStreams: true }).then(
            (r) => res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "text/plain" }).end(r.text),
            () => res.writeHead(500, { "content-type": "text/plain" }).end("Internal Server Error"),
          );
        } catch {
          res.writeHead(500, { "content-type": "text/plain" }).end("Internal Server Error");
        }
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("is a 400 in the error shape on every dynamic route, signed in or not", async () => {
      const broken = fc.constantFrom("%ff", "%", "%e0%a4%a", "%zz", "a%2", "%c3%28", "%ed%a0%80");
      for (const [i, op] of dynamic().entries()) {
        for (const seg of draw(broken, RUNS, 11_000 + i)) {
          for (const cookie of [undefined, cookies.admin]) {
            const path = op.path.replace(/\{[^}]+\}/, seg).replace(/\{[^}]+\}/g, randomUUID());
            const res = await fetch(url + path, { method: op.method, headers: cookie ? { cookie } : {} });
            sent++;
            const text = await res.text();
            const json = parseOrUndefined(text);
            judge(`${op.method} ${path} [percent-encoding${cookie ? ", admin" : ""}]`, { op, label: "", url: path, params: {}, expect: [400] }, res.status, text, json);
          }
        }
      }
      // the webhook inbox (not in the document: it is not /api/v1) goes through the same front
      for (const p of ["/api/webhooks/stripe/%ff", "/api/webhooks/%ff/abc", "/api/webhooks/receive/%ff"]) {
        const res = await fetch(url + p, { method: "POST", body: "{}", headers: { "content-type": "application/json" } });
        sent++;
        const text = await res.text();
        judge(`POST ${p}`, { op: ops[0], label: "", url: p, params: {}, expect: [400] }, res.status, text, parseOrUndefined(text));
      }
      expect(violations).toEqual([]);
    });
  });
});
