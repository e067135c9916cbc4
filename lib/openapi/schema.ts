// zod 4 schemas as the JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) inside the API
// document: what a client sends (io "input": before defaults, coercions and transforms) or gets
// back (io "output"). What JSON Schema cannot say never breaks the document: a date becomes an
// ISO date-time string (what the API accepts and answers), a field that must stay absent is
// left out, anything else unrepresentable (custom checks, bare transforms) becomes "any value".
import { z, type ZodType } from "zod";

export type JsonSchema = { [key: string]: unknown };

/** a property the schema forbids (z.undefined()): dropped from objects and parameter lists */
const ABSENT = "x-absent";

type Handler = NonNullable<Parameters<typeof z.toJSONSchema>[1]>["unrepresentable"];
const unrepresentable: Handler = ({ zodSchema }) => {
  switch (zodSchema._zod.def.type) {
    case "date":
      return { type: "string", format: "date-time" };
    case "bigint":
      return { type: "integer", format: "int64" };
    case "undefined":
    case "void":
      return { [ABSENT]: true };
    default:
      return "any";
  }
};

/**
 * One schema's JSON Schema. Definitions zod hoists (recursive or `.meta({ id })` schemas) are
 * moved into `defs` (the document's components.schemas) and their $refs rewritten to point there.
 */
export function toJsonSchema(schema: ZodType, io: "input" | "output", defs: Record<string, JsonSchema>, name: string): JsonSchema {
  let out: JsonSchema;
  try {
    out = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable }) as JsonSchema;
  } catch (e) {
    // a shape the converter cannot walk at all: say so rather than lose the whole document
    return { description: `Not describable as JSON Schema (${(e as Error).message}); the server validates it.` };
  }
  delete out.$schema;
  const local = (out.$defs ?? {}) as Record<string, JsonSchema>;
  delete out.$defs;
  const renamed = new Map<string, string>();
  for (const key of Object.keys(local)) {
    // zod's own names (__schema0) are per conversion: prefixed with the operation's to stay unique
    let target = /^[A-Za-z0-9._-]+$/.test(key) && !key.startsWith("__") ? key : `${name}_${key.replace(/^_+/, "").replace(/[^A-Za-z0-9._-]/g, "_")}`;
    for (let i = 2; defs[target] && JSON.stringify(defs[target]) !== JSON.stringify(local[key]); i++) target = `${name}_${key}_${i}`;
    renamed.set(key, target);
  }
  const selfRef = JSON.stringify(out).includes('"$ref":"#"');
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!node || typeof node !== "object") return node;
    const o: JsonSchema = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") {
        if (v === "#") o[k] = `#/components/schemas/${name}`;
        else if (v.startsWith("#/$defs/")) o[k] = `#/components/schemas/${renamed.get(v.slice(8)) ?? v.slice(8)}`;
        else o[k] = v;
      } else o[k] = rewrite(v);
    }
    return dropAbsent(o);
  };
  for (const [key, def] of Object.entries(local)) defs[renamed.get(key)!] = rewrite(def) as JsonSchema;
  const result = rewrite(out) as JsonSchema;
  if (selfRef) {
    // a recursive root: the schema lives in components and the operation points at it
    defs[name] = result;
    return { $ref: `#/components/schemas/${name}` };
  }
  return result;
}

/** Removes properties the schema forbids (z.undefined()) from an object schema. */
function dropAbsent(o: JsonSchema): JsonSchema {
  const props = o.properties as Record<string, JsonSchema> | undefined;
  if (!props || typeof props !== "object") return o;
  const gone = Object.keys(props).filter((k) => props[k]?.[ABSENT]);
  if (!gone.length) return o;
  const properties = Object.fromEntries(Object.entries(props).filter(([k]) => !gone.includes(k)));
  const required = Array.isArray(o.required) ? (o.required as string[]).filter((k) => !gone.includes(k)) : undefined;
  const next: JsonSchema = { ...o, properties };
  if (required?.length) next.required = required;
  else delete next.required;
  return next;
}

export type Parameter = {
  name: string;
  in: "query" | "path" | "header";
  required: boolean;
  description?: string;
  schema: JsonSchema;
};

/**
 * Expands an object schema (query string or path params) into OpenAPI parameters, one per
 * property, the description (from `.describe()` / `.meta()`) lifted onto the parameter.
 * Anything other than a plain object (a union of shapes) is described as one free-form
 * `query` object parameter (style form, explode) so nothing is lost.
 */
export function toParameters(schema: ZodType, location: "query" | "path", defs: Record<string, JsonSchema>, name: string): Parameter[] {
  const json = toJsonSchema(schema, "input", defs, name);
  const resolved = typeof json.$ref === "string" ? defs[json.$ref.split("/").pop()!] ?? json : json;
  const props = resolved.properties as Record<string, JsonSchema> | undefined;
  if (resolved.type !== "object" || !props) {
    if (location === "path" || (resolved.type === "object" && !props)) return [];
    return [{ name: "query", in: "query", required: false, description: "Query string fields (see schema)", schema: json }];
  }
  const required = new Set(Array.isArray(resolved.required) ? (resolved.required as string[]) : []);
  return Object.entries(props).map(([prop, s]) => {
    const { description, ...rest } = s;
    return {
      name: prop,
      in: location,
      // path parameters are always required in OpenAPI; an optional one would be a bug in the route
      required: location === "path" || required.has(prop),
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
    };
  });
}

/** Whether a body schema accepts no body at all (an optional or defaulted body). */
export function acceptsEmpty(schema: ZodType): boolean {
  try {
    return schema.safeParse(undefined).success;
  } catch {
    return false;
  }
}
