"use client";
// Browser-side calls to /api/v1 with the session cookie. Errors arrive in the project's
// shape and are thrown as ClientApiError so forms can show field messages.
export class ClientApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public details?: unknown,
  ) {
    super(message);
  }
  /** field path -> message, from validation details */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    if (Array.isArray(this.details)) {
      for (const d of this.details as { path?: string; message?: string }[]) if (d.path && d.message && !out[d.path]) out[d.path] = d.message;
    }
    return out;
  }
}

/**
 * A failed form submit split for display: messages of the form's own fields (first per field)
 * next to them, the rest (and any non-validation error) in one line above the form.
 */
export function formErrors<F extends string>(e: unknown, fieldOf: (path: string) => F | null | undefined): { fields: Partial<Record<F, string>>; form: string | null } {
  if (!(e instanceof ClientApiError)) return { fields: {}, form: (e as Error)?.message ?? String(e) };
  const fields: Partial<Record<F, string>> = {};
  const rest: string[] = [];
  for (const [path, message] of Object.entries(e.fieldErrors())) {
    const f = fieldOf(path);
    if (f && !fields[f]) fields[f] = message;
    else if (!f) rest.push(`${path}: ${message}`);
  }
  return { fields, form: Object.keys(fields).length && !rest.length ? null : [e.message, ...rest].join(" · ") };
}

export async function api<T = unknown>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, headers, ...rest } = init;
  const res = await fetch(path, {
    ...rest,
    headers: { accept: "application/json", ...(json !== undefined ? { "content-type": "application/json" } : {}), ...(headers ?? {}) },
    body: json !== undefined ? JSON.stringify(json) : rest.body,
    credentials: "same-origin",
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const e = (data as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    if (res.status === 401 && typeof window !== "undefined" && !path.startsWith("/api/auth")) {
      window.location.href = `/login?callbackUrl=${encodeURIComponent(window.location.pathname + window.location.search)}`;
    }
    throw new ClientApiError(res.status, e?.code ?? "http_error", e?.message ?? `Request failed (${res.status})`, e?.details);
  }
  return data as T;
}
