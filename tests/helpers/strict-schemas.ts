// Walks a zod 4 schema and names every object in it that would silently drop an unknown key
// (z.object without .strict(); .loose() and .passthrough() keep them, which is not dropping).
// Records (z.record) are maps by design and are not objects with known fields.
import type { ZodType } from "zod";

type Def = { type: string; [k: string]: unknown };
const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } })?._zod?.def;

export function nonStrictObjects(schema: ZodType, where: string): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const walk = (s: unknown, at: string) => {
    const def = defOf(s);
    if (!def || seen.has(s)) return;
    seen.add(s);
    switch (def.type) {
      case "object": {
        const catchall = defOf(def.catchall);
        if (!catchall) out.push(at || "(top level)");
        for (const [k, v] of Object.entries((def.shape as Record<string, unknown>) ?? {})) walk(v, at ? `${at}.${k}` : k);
        if (catchall) walk(def.catchall, `${at}.*`);
        return;
      }
      case "optional":
      case "nullable":
      case "default":
      case "prefault":
      case "catch":
      case "readonly":
      case "nonoptional":
      case "success":
        return walk(def.innerType, at);
      case "array":
        return walk(def.element, `${at}[]`);
      case "set":
        return walk(def.valueType, `${at}[]`);
      case "union":
        return (def.options as unknown[]).forEach((o, i) => walk(o, `${at}|${i}`));
      case "intersection":
        walk(def.left, at);
        return walk(def.right, at);
      case "pipe":
        walk(def.in, at);
        return walk(def.out, at);
      case "record":
      case "map":
        return walk(def.valueType, `${at}.*`);
      case "tuple":
        (def.items as unknown[]).forEach((o, i) => walk(o, `${at}[${i}]`));
        if (def.rest) walk(def.rest, `${at}[]`);
        return;
      case "lazy":
        return walk((def.getter as () => unknown)(), at);
      default:
        return;
    }
  };
  walk(schema, "");
  return out.map((p) => `${where}: ${p}`);
}
