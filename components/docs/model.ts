// Reading the OpenAPI document for the docs page: operations grouped by tag, the search, $refs
// resolved, and JSON Schemas flattened into rows a person can read.
import { HTTP_METHODS, type HttpMethod, type JsonSchema, type OpenApiDocument, type Operation, type Ref, type ResponseObject } from "@/lib/openapi/types";

export type Op = { method: HttpMethod; path: string; op: Operation };
export type TagGroup = { name: string; description?: string; ops: Op[] };

export function operations(doc: OpenApiDocument): Op[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((m) => item[m]).map((method) => ({ method, path, op: item[method]! })),
  );
}

/** Every word of the query must appear in the method, path, summary, tag, scope, roles or parameter names. */
export function matches(o: Op, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return true;
  const hay = [
    o.method,
    o.path,
    o.op.summary,
    o.op.description ?? "",
    o.op.tags.join(" "),
    o.op["x-required-scope"] ?? "",
    (o.op["x-roles"] ?? []).join(" "),
    (o.op.parameters ?? []).map((p) => p.name).join(" "),
  ]
    .join(" ")
    .toLowerCase();
  return words.every((w) => hay.includes(w));
}

export function groupByTag(doc: OpenApiDocument, ops: Op[]): TagGroup[] {
  const groups = new Map<string, TagGroup>();
  for (const t of doc.tags) groups.set(t.name, { name: t.name, description: t.description, ops: [] });
  for (const o of ops) {
    const tag = o.op.tags[0] ?? "other";
    if (!groups.has(tag)) groups.set(tag, { name: tag, ops: [] });
    groups.get(tag)!.ops.push(o);
  }
  return [...groups.values()].filter((g) => g.ops.length);
}

/** Follows a local $ref ("#/components/…"); anything unresolvable stays as it is. */
export function resolve<T>(doc: OpenApiDocument, value: T | Ref): T {
  let v: unknown = value;
  for (let hops = 0; hops < 10 && v && typeof v === "object" && typeof (v as Ref).$ref === "string"; hops++) {
    const ref = (v as Ref).$ref;
    if (!ref.startsWith("#/")) break;
    const target = ref
      .slice(2)
      .split("/")
      .reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")], doc);
    if (!target) break;
    v = target;
  }
  return v as T;
}

export function refName(value: unknown): string | null {
  const ref = (value as Ref | undefined)?.$ref;
  return typeof ref === "string" ? ref.split("/").pop()! : null;
}

export function responseOf(doc: OpenApiDocument, r: ResponseObject | Ref): ResponseObject {
  return resolve<ResponseObject>(doc, r);
}

// ───────────── schemas ─────────────

const isObj = (s: unknown): s is JsonSchema => !!s && typeof s === "object" && !Array.isArray(s);

/** A short type for a schema: "string (uuid)", "integer", "string[]", "map of string", "string | null", "any". */
export function typeLabel(doc: OpenApiDocument, schema: JsonSchema | undefined, depth = 0): string {
  if (!isObj(schema) || depth > 5) return "any";
  const s = resolve<JsonSchema>(doc, schema);
  if ("const" in s) return JSON.stringify(s.const);
  const union = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(union)) return [...new Set(union.map((u) => typeLabel(doc, u, depth + 1)))].join(" | ");
  if (Array.isArray(s.allOf)) return (s.allOf as JsonSchema[]).map((u) => typeLabel(doc, u, depth + 1)).join(" & ");
  const types = [s.type].flat().filter(Boolean) as string[];
  if (!types.length) return Array.isArray(s.enum) ? "enum" : s.properties ? "object" : "any";
  return types
    .map((t) => {
      if (t === "array") return Array.isArray(s.prefixItems) ? "tuple" : `${typeLabel(doc, s.items as JsonSchema, depth + 1)}[]`;
      if (t === "object" && !s.properties && isObj(s.additionalProperties)) return `map of ${typeLabel(doc, s.additionalProperties, depth + 1)}`;
      if (t === "string" && typeof s.format === "string") return `string (${s.format})`;
      if (t === "string" && typeof s.contentMediaType === "string") return `file (${s.contentMediaType})`;
      return t;
    })
    .join(" | ");
}

/** Constraints worth a reader's attention, in words. */
export function constraints(doc: OpenApiDocument, schema: JsonSchema | undefined): string[] {
  if (!isObj(schema)) return [];
  const s = resolve<JsonSchema>(doc, schema);
  const out: string[] = [];
  const n = (k: string) => (typeof s[k] === "number" ? (s[k] as number) : undefined);
  if (n("minLength") !== undefined && n("maxLength") !== undefined) out.push(n("minLength") === n("maxLength") ? `exactly ${n("minLength")} characters` : `${n("minLength")}–${n("maxLength")} characters`);
  else if (n("minLength") !== undefined) out.push(`at least ${n("minLength")} characters`);
  else if (n("maxLength") !== undefined) out.push(`at most ${n("maxLength")} characters`);
  if (n("exclusiveMinimum") !== undefined) out.push(`> ${n("exclusiveMinimum")}`);
  if (n("minimum") !== undefined) out.push(`≥ ${n("minimum")}`);
  if (n("exclusiveMaximum") !== undefined) out.push(`< ${n("exclusiveMaximum")}`);
  if (n("maximum") !== undefined && n("maximum")! < Number.MAX_SAFE_INTEGER) out.push(`≤ ${n("maximum")}`);
  if (n("minItems") !== undefined) out.push(`at least ${n("minItems")} items`);
  if (n("maxItems") !== undefined) out.push(`at most ${n("maxItems")} items`);
  if (typeof s.pattern === "string" && typeof s.format !== "string") out.push(`matches ${s.pattern}`);
  if (s.additionalProperties === false) out.push("no other fields");
  if ("default" in s) out.push(`default ${JSON.stringify(s.default)}`);
  return out;
}

export function enumValues(doc: OpenApiDocument, schema: JsonSchema | undefined): unknown[] | null {
  if (!isObj(schema)) return null;
  const s = resolve<JsonSchema>(doc, schema);
  if (Array.isArray(s.enum)) return s.enum as unknown[];
  if (isObj(s.items)) {
    const items = resolve<JsonSchema>(doc, s.items);
    if (Array.isArray(items.enum)) return items.enum as unknown[];
  }
  const union = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(union) && union.every((u) => isObj(u) && "const" in u)) return union.map((u) => u.const);
  return null;
}

export type SchemaRow = {
  key: string;
  name: string;
  depth: number;
  type: string;
  required: boolean;
  description?: string;
  enum: unknown[] | null;
  constraints: string[];
};

/**
 * A schema as rows: one per property, nested objects (and arrays of objects, and object
 * options of a union) indented beneath their field. Recursion stops at depth 6 or a $ref seen.
 */
export function schemaRows(doc: OpenApiDocument, schema: JsonSchema | undefined): SchemaRow[] {
  const rows: SchemaRow[] = [];
  const walk = (node: JsonSchema | undefined, depth: number, prefix: string, seen: Set<string>) => {
    if (!isObj(node) || depth > 6) return;
    const name = refName(node);
    if (name && seen.has(name)) return;
    const nextSeen = name ? new Set([...seen, name]) : seen;
    const s = resolve<JsonSchema>(doc, node);
    const props = s.properties as Record<string, JsonSchema> | undefined;
    if (props) {
      const required = new Set((s.required as string[] | undefined) ?? []);
      for (const [prop, sub] of Object.entries(props)) {
        const key = `${prefix}${prop}`;
        const r = resolve<JsonSchema>(doc, sub);
        rows.push({
          key,
          name: prop,
          depth,
          type: typeLabel(doc, sub),
          required: required.has(prop),
          description: typeof r.description === "string" ? r.description : undefined,
          enum: enumValues(doc, sub),
          constraints: constraints(doc, sub),
        });
        walk(childOf(doc, sub), depth + 1, `${key}.`, nextSeen);
      }
      return;
    }
    const union = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
    if (Array.isArray(union)) {
      const objects = union.filter((u) => resolve<JsonSchema>(doc, u).properties);
      if (objects.length > 1) {
        objects.forEach((u, i) => {
          rows.push({ key: `${prefix}#${i}`, name: `option ${i + 1}`, depth, type: "object", required: false, enum: null, constraints: [] });
          walk(u, depth + 1, `${prefix}#${i}.`, nextSeen);
        });
      } else if (objects.length === 1) walk(objects[0], depth, prefix, nextSeen);
    }
  };
  walk(schema, 0, "", new Set());
  return rows;
}

/** What to list beneath a field: its object, its array items' object, or its union's objects. */
function childOf(doc: OpenApiDocument, sub: JsonSchema): JsonSchema | undefined {
  const s = resolve<JsonSchema>(doc, sub);
  if (s.properties) return sub;
  if (isObj(s.items) && resolve<JsonSchema>(doc, s.items).properties) return s.items;
  const union = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(union)) {
    const objs = union.filter((u) => {
      const r = resolve<JsonSchema>(doc, u);
      return r.properties || (isObj(r.items) && resolve<JsonSchema>(doc, r.items).properties);
    });
    if (objs.length === 1) return childOf(doc, objs[0]);
    if (objs.length > 1) return { anyOf: objs };
  }
  if (isObj(s.additionalProperties) && resolve<JsonSchema>(doc, s.additionalProperties).properties) return s.additionalProperties;
  return undefined;
}

/** True when a schema says nothing beyond "some JSON object" (the generic success answer). */
export function isGeneric(schema: JsonSchema | undefined): boolean {
  if (!isObj(schema)) return true;
  const keys = Object.keys(schema).filter((k) => k !== "description");
  return keys.length === 0 || (keys.length === 1 && schema.type === "object");
}

export const METHOD_VARIANT: Record<HttpMethod, "info" | "success" | "warning" | "danger"> = {
  get: "info",
  post: "success",
  put: "warning",
  patch: "warning",
  delete: "danger",
};

/** Element ids from an operationId: stable links (#postPayments). */
export const anchor = (o: Op) => o.op.operationId;

/** A small example value for a schema: required fields only, the first allowed value, the lower bound. */
export function example(doc: OpenApiDocument, schema: JsonSchema | undefined, depth = 0): unknown {
  if (!isObj(schema) || depth > 5) return null;
  const s = resolve<JsonSchema>(doc, schema);
  if ("const" in s) return s.const;
  if ("default" in s && s.default !== undefined && depth > 0) return s.default;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  const union = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (Array.isArray(union) && union.length) return example(doc, union.find((u) => resolve<JsonSchema>(doc, u).type !== "null") ?? union[0], depth + 1);
  const type = [s.type].flat()[0];
  switch (type) {
    case "object": {
      const props = (s.properties ?? {}) as Record<string, JsonSchema>;
      const required = (s.required as string[] | undefined) ?? [];
      return Object.fromEntries(required.filter((k) => props[k]).map((k) => [k, example(doc, props[k], depth + 1)]));
    }
    case "array":
      return typeof s.minItems === "number" && s.minItems > 0 ? [example(doc, s.items as JsonSchema, depth + 1)] : [];
    case "integer":
    case "number": {
      const min = typeof s.minimum === "number" ? s.minimum : typeof s.exclusiveMinimum === "number" ? s.exclusiveMinimum + 1 : 1;
      return min;
    }
    case "boolean":
      return true;
    case "string":
      return ({ uuid: "00000000-0000-4000-8000-000000000000", "date-time": "2026-01-31T09:00:00Z", date: "2026-01-31", email: "someone@example.com", uri: "https://example.com/" } as Record<string, string>)[s.format as string] ?? "string";
    default:
      return null;
  }
}

/** A curl command for an operation an API key (or anyone) can call: the server's URL, the key, the example body. */
export function curlFor(doc: OpenApiDocument, o: Op): string {
  const base = doc.servers[0]?.url ?? "";
  const url = `${base}${o.path}`;
  const lines = [`curl -X ${o.method.toUpperCase()} '${url}'`];
  if (o.op["x-access"] !== "public") lines.push(`  -H "Authorization: Bearer $SWITCHBOARD_API_KEY"`);
  if ((o.op.parameters ?? []).some((p) => p.name === "Idempotency-Key")) lines.push(`  -H 'Idempotency-Key: <unique id>'`);
  const body = o.op.requestBody?.content["application/json"]?.schema;
  if (body) {
    lines.push(`  -H 'Content-Type: application/json'`);
    lines.push(`  -d '${JSON.stringify(example(doc, body)).replace(/'/g, "'\\''")}'`);
  }
  return lines.join(" \\\n");
}
