// Forms validate in the browser with the API's own zod schemas (lib/<area>/contract.ts) before
// anything is sent: every field's problem at once, in the words of the one error map
// (lib/errors.ts), next to its field; the first invalid field scrolled to and focused.
import type { z, ZodType } from "zod";
import { zodDetails } from "@/lib/errors";

export type FormCheck<F extends string, T> =
  | { ok: true; data: T }
  | { ok: false; fields: Partial<Record<F, string>>; form: string | null };

/**
 * Parses `value` with the schema the server uses; problems are mapped onto the form's fields
 * with `fieldOf` (first message per field); ones no field shows are joined into `form`.
 */
export function checkForm<S extends ZodType, F extends string>(schema: S, value: unknown, fieldOf: (path: string) => F | null | undefined): FormCheck<F, z.output<S>> {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, data: r.data };
  const fields: Partial<Record<F, string>> = {};
  const rest: string[] = [];
  for (const d of zodDetails(r.error)) {
    const f = fieldOf(d.path);
    if (f) fields[f] ??= d.message;
    else rest.push(d.path ? `${d.path}: ${d.message}` : d.message);
  }
  return { ok: false, fields, form: rest.length ? rest.join(" · ") : null };
}

/** After the errors have rendered: brings the first field marked aria-invalid into view and focuses it. */
export function focusFirstInvalid(root: HTMLElement | null | undefined) {
  if (typeof window === "undefined") return;
  window.requestAnimationFrame(() => {
    const el = root?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (!el) return;
    el.scrollIntoView({ block: "center" });
    el.focus({ preventScroll: true });
  });
}
