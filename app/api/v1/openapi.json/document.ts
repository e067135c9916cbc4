// The OpenAPI 3.1 document of /api/v1, built from the route handlers themselves: every
// app/api/v1/**/route.ts module is imported (routes.generated.ts) and each HTTP method export
// made by route() (lib/api.ts) carries its access rule, its zod schemas and its `docs`. Built
// once per process, on first use; only `servers` depends on the request.
import { createHash } from "node:crypto";
import { z, type ZodType } from "zod";
import type { Access, RouteDocs, RouteHandler } from "@/lib/api";
import { PERMISSIONS, type Permission } from "@/lib/auth/roles";
import { SCOPES } from "@/lib/auth/scopes";
import { ROUTE_MODULES } from "@/app/api/v1/openapi.json/routes.generated";
import { MANUAL, TAG_DESCRIPTIONS } from "@/lib/openapi/manual";
import { acceptsEmpty, toJsonSchema, toParameters, type JsonSchema, type Parameter } from "@/lib/openapi/schema";
import { HTTP_METHODS, type HttpMethod, type OpenApiDocument, type Operation, type ResponseObject } from "@/lib/openapi/types";
import { OPENAPI_PATH, openApiRoute } from "@/lib/openapi/self";
import { API_ALIASES, aliasNote, type RouteAliases } from "@/lib/compat";
import pkg from "@/package.json";

type RouteInfo = RouteHandler["route"];
export type RouteEntry = { path: string; file: string; module: Record<string, unknown> };

/** Every route module, the document's own route included (it cannot import itself). */
export function routeEntries(): RouteEntry[] {
  return [...ROUTE_MODULES, { path: OPENAPI_PATH, file: "app/api/v1/openapi.json/route.ts", module: { GET: { route: openApiRoute } } }];
}

const VERBS: Record<HttpMethod, string> = { get: "Get", post: "Post to", put: "Replace", patch: "Update", delete: "Delete" };

/** "GET /api/v1/payments/{id}" -> "getPaymentsById" */
function operationId(method: HttpMethod, path: string) {
  const words = path
    .replace(/^\/api\/v1\//, "")
    .split(/[/.-]/)
    .filter(Boolean)
    .map((s) => (s.startsWith("{") ? `By${cap(s.slice(1, -1))}` : cap(s)));
  return method + words.join("");
}
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Used only when a route has no docs.summary: "Get payments/{id}". */
function fallbackSummary(method: HttpMethod, path: string) {
  return `${VERBS[method]} ${path.replace(/^\/api\/v1\//, "")}`;
}

function tagOf(path: string) {
  return path.replace(/^\/api\/v1\//, "").split("/")[0].replace(/\.json$/, "");
}

function rolesWith(permission: Permission): string[] {
  return [...PERMISSIONS[permission]];
}

const json = (schema: JsonSchema) => ({ "application/json": { schema } });
const ref = (name: string) => ({ $ref: `#/components/responses/${name}` });

/** The project's error shape (lib/errors.ts), the one every failure answers with. */
const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe("Machine-readable: validation_failed, invalid_json, unauthorized, forbidden, csrf, not_found, conflict, payload_too_large, unsupported_media_type, unprocessable, rate_limited, provider_error, needs_reconnect, internal_error …"),
      message: z.string().describe("A sentence for people; never a stack trace or a secret"),
      details: z.unknown().optional().describe("More about the failure: for validation, a list of { path, message }"),
    }),
  })
  .meta({ description: "Every error answer: { error: { code, message, details? } }" });

const validationErrorSchema = z.object({
  error: z.object({
    code: z.enum(["validation_failed", "invalid_json"]),
    message: z.string(),
    details: z.array(z.object({ path: z.string().describe("The field, dotted (items.0.phone); empty for the whole input"), message: z.string() })).optional(),
  }),
});

function errorResponse(description: string, example: { code: string; message: string }, schema = "Error"): ResponseObject {
  return { description, content: { "application/json": { schema: { $ref: `#/components/schemas/${schema}` }, example: { error: example } } } };
}

const RESPONSES: Record<string, ResponseObject> = {
  BadRequest: errorResponse("The query string, path or body is invalid (details lists each field)", { code: "validation_failed", message: "The request body is invalid" }, "ValidationError"),
  Unauthorized: errorResponse("No session and no API key, or the API key is unknown, revoked or expired", { code: "unauthorized", message: "Sign in or send an API key (Authorization: Bearer <key>)" }),
  Forbidden: errorResponse("The role or the API key's scopes do not allow this (`forbidden`), or a signed-in browser sent a change from another site (`csrf`: the Origin or Sec-Fetch-Site header is not this site's)", { code: "forbidden", message: "Your role does not allow this" }),
  NotFound: errorResponse("No such resource", { code: "not_found", message: "Resource not found" }),
  Conflict: errorResponse("The request conflicts with the current state (already exists, already running, not ready, the provider needs reconnecting)", { code: "conflict", message: "A record with the same unique value already exists" }),
  PayloadTooLarge: errorResponse("The body is larger than the route accepts", { code: "payload_too_large", message: "The request body exceeds 1048576 bytes" }),
  UnsupportedMediaType: errorResponse("The body is not sent as application/json", { code: "unsupported_media_type", message: "Send the body as JSON (Content-Type: application/json)" }),
  Unprocessable: errorResponse("Well-formed but cannot be done (for example a refund above what is left)", { code: "unprocessable", message: "The request cannot be processed" }),
  RateLimited: {
    ...errorResponse("Too many requests: wait Retry-After seconds", { code: "rate_limited", message: "Too many requests: retry in 12 s" }),
    headers: { "Retry-After": { description: "Seconds to wait", schema: { type: "integer", minimum: 0 } } },
  },
  Error: errorResponse("Any other failure in the same shape: 502 provider_error (the provider refused or could not be reached), 503, 500 internal_error with the request id", { code: "provider_error", message: "The provider answered 500" }),
};

const idempotencyKey: Parameter = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description: "Any unique string (a UUID). A retried request with the same key returns the first request's result instead of doing the work again.",
  schema: { type: "string", maxLength: 255 },
};

function accessText(access: Access, optionalScope?: string) {
  if ("public" in access) {
    return optionalScope
      ? `Public (no sign-in needed). A backend may send an API key with the \`${optionalScope}\` scope instead: its own rate limit then applies.`
      : "Public: no sign-in or API key needed.";
  }
  const roles = rolesWith(access.permission).join(", ");
  const who = `Signed-in users whose role has \`${access.permission}\` (${roles})`;
  return access.scope ? `${who}, or an API key with the \`${access.scope}\` scope.` : `${who} only: API keys cannot call it.`;
}

function buildOperation(method: HttpMethod, path: string, file: string, info: RouteInfo, defs: Record<string, JsonSchema>): Operation {
  const docs: RouteDocs = info.docs ?? {};
  const manual = MANUAL[`${method.toUpperCase()} ${path}`] ?? {};
  const id = operationId(method, path);
  const access = info.access;
  const isPublic = "public" in access;

  // ── parameters: the path's, the query string's, headers ──
  const parameters: Parameter[] = [];
  const pathNames = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const fromParams = info.params ? toParameters(info.params, "path", defs, `${id}Params`) : [];
  for (const name of pathNames) {
    parameters.push(fromParams.find((p) => p.name === name) ?? { name, in: "path", required: true, schema: { type: "string" } });
  }
  const query = [info.query, manual.query].filter((q): q is ZodType => !!q);
  for (const q of query) parameters.push(...toParameters(q, "query", defs, `${id}Query`));
  if (docs.idempotent) parameters.push(idempotencyKey);
  parameters.push(...(manual.headers ?? []));

  // ── body ──
  const bodySchema = manual.body ?? info.body;
  const requestBody = bodySchema
    ? { required: !acceptsEmpty(bodySchema), content: json(toJsonSchema(bodySchema, "input", defs, `${id}Body`)) }
    : undefined;

  // ── responses ──
  const status = String(docs.status ?? 200);
  const success: ResponseObject =
    manual.success ??
    (status === "204"
      ? { description: "Done: no content" }
      : {
          description: { "200": "OK", "201": "Created", "202": "Accepted: the work continues in the background" }[status] ?? "Success",
          content: json(docs.response ? toJsonSchema(docs.response, "output", defs, `${id}Response`) : { type: "object", description: "The result as JSON" }),
        });
  const responses: Operation["responses"] = { [status]: success, ...(manual.responses ?? {}) };
  // every operation can answer 400: one without a query schema refuses any query parameter (lib/api.ts)
  responses["400"] = ref("BadRequest");
  if (!isPublic || manual.optionalScope) responses["401"] = ref("Unauthorized");
  if (!isPublic || manual.optionalScope) responses["403"] = ref("Forbidden");
  if (pathNames.length) responses["404"] = ref("NotFound");
  if (method !== "get" && !isPublic) {
    responses["409"] = ref("Conflict");
    responses["422"] = ref("Unprocessable");
  }
  if (bodySchema) {
    responses["413"] = ref("PayloadTooLarge");
    responses["415"] = ref("UnsupportedMediaType");
  }
  // API keys are rate limited per key; public writes per client address
  if ((!isPublic && access.scope) || (isPublic && method !== "get")) responses["429"] = ref("RateLimited");
  responses.default = ref("Error");

  // ── who may call it ──
  const scope = isPublic ? manual.optionalScope : access.scope;
  let security: Operation["security"];
  let xAccess: Operation["x-access"];
  if (isPublic) {
    security = manual.optionalScope ? [{}, { bearerAuth: [manual.optionalScope] }] : [];
    xAccess = "public";
  } else if (access.scope) {
    security = [{ bearerAuth: [access.scope] }, { cookieAuth: [] }];
    xAccess = "session-or-api-key";
  } else {
    security = [{ cookieAuth: [] }];
    xAccess = "session";
  }

  // the schemas show the camelCase names only; the old names a route still accepts are a note
  const key = `${method.toUpperCase()} ${path}`;
  const aliases = (API_ALIASES as Record<string, RouteAliases>)[key];
  const description = [docs.description, aliasNote(key), `**Access:** ${accessText(access, manual.optionalScope)}`].filter(Boolean).join("\n\n");
  return {
    operationId: id,
    summary: docs.summary?.trim() || fallbackSummary(method, path),
    description,
    tags: [tagOf(path)],
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
    security,
    "x-access": xAccess,
    ...(scope ? { "x-required-scope": scope } : {}),
    ...(!isPublic ? { "x-required-permission": access.permission, "x-roles": rolesWith(access.permission) } : {}),
    "x-source": file,
    ...(aliases ? { "x-aliases": { in: aliases.in, fields: { ...aliases.fields } } } : {}),
  };
}

function isRouteHandler(v: unknown): v is { route: RouteInfo } {
  return !!v && (typeof v === "function" || typeof v === "object") && typeof (v as { route?: unknown }).route === "object";
}

/** Route exports that are HTTP methods but were not made by route(): nothing to document them from. */
export function undocumentable(): string[] {
  const out: string[] = [];
  for (const r of routeEntries())
    for (const m of HTTP_METHODS) {
      const h = r.module[m.toUpperCase()];
      if (h && !isRouteHandler(h)) out.push(`${m.toUpperCase()} ${r.path}`);
    }
  return out;
}

/** The document without `servers` (the part that never changes while the process runs). */
export function buildDocument(): Omit<OpenApiDocument, "servers"> {
  const defs: Record<string, JsonSchema> = {
    Error: toJsonSchema(errorSchema, "output", {}, "Error"),
    ValidationError: toJsonSchema(validationErrorSchema, "output", {}, "ValidationError"),
  };
  const paths: OpenApiDocument["paths"] = {};
  const tags = new Set<string>();
  const ids = new Set<string>();
  for (const r of [...routeEntries()].sort((a, b) => a.path.localeCompare(b.path))) {
    for (const m of HTTP_METHODS) {
      const h = r.module[m.toUpperCase()];
      if (!h) continue;
      // a handler not made by route() still appears rather than vanish (the coverage test flags it)
      const info: RouteInfo = isRouteHandler(h)
        ? h.route
        : { access: { public: true }, docs: { description: "Not made with route(): its access and schemas are not described here." } };
      const op = buildOperation(m, r.path, r.file, info, defs);
      // /a-b and /a/b would share an id: the later one gets a number
      const base = op.operationId;
      for (let i = 2; ids.has(op.operationId); i++) op.operationId = `${base}${i}`;
      ids.add(op.operationId);
      (paths[r.path] ??= {})[m] = op;
      tags.add(op.tags[0]);
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Switchboard API",
      version: pkg.version,
      description: [
        "The integration API of this Switchboard instance: messages, payments, tracking, exports, calendar, calls, ERP sync and the integrations behind them.",
        "Authenticate with an API key (`Authorization: Bearer <key>`, created by an admin under API keys) holding the scope each operation names, or with the dashboard's session cookie.",
        "Errors always answer `{ \"error\": { \"code\", \"message\", \"details\"? } }`. POSTs that create or send accept an `Idempotency-Key` header where noted.",
      ].join("\n\n"),
    },
    tags: [...tags].sort().map((name) => ({ name, ...(TAG_DESCRIPTIONS[name] ? { description: TAG_DESCRIPTIONS[name] } : {}) })),
    paths,
    components: {
      schemas: defs,
      responses: RESPONSES,
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "API key",
          description: `An API key: \`Authorization: Bearer <key>\`. Each operation names the scope it needs. Scopes: ${Object.keys(SCOPES).join(", ")}.`,
        },
        cookieAuth: {
          type: "apiKey",
          in: "cookie",
          name: "next-auth.session-token",
          description: "The dashboard's session (signed-in users; `__Secure-next-auth.session-token` over HTTPS). The role decides what it may do.",
        },
      },
    },
  };
}

let cached: { body: Omit<OpenApiDocument, "servers">; byServer: Map<string, { text: string; etag: string }> } | undefined;

/** The document as JSON text for this server URL, built once and kept (a few entries per base URL). */
export function openApiJson(serverUrl: string): { text: string; etag: string } {
  cached ??= { body: buildDocument(), byServer: new Map() };
  let hit = cached.byServer.get(serverUrl);
  if (!hit) {
    const doc: OpenApiDocument = { ...cached.body, servers: [{ url: serverUrl, description: "This instance" }] } as OpenApiDocument;
    const ordered = { openapi: doc.openapi, info: doc.info, servers: doc.servers, tags: doc.tags, paths: doc.paths, components: doc.components };
    const text = JSON.stringify(ordered);
    hit = { text, etag: `"${hash(text)}"` };
    if (cached.byServer.size >= 8) cached.byServer.clear();
    cached.byServer.set(serverUrl, hit);
  }
  return hit;
}

export function openApiDocument(serverUrl: string): OpenApiDocument {
  return JSON.parse(openApiJson(serverUrl).text) as OpenApiDocument;
}

function hash(s: string) {
  return createHash("sha256").update(s).digest("base64url").slice(0, 27);
}
