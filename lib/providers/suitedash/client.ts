// SuiteDash's Secure API over plain HTTPS through ctx.call (every call logged, the keys
// scrubbed): headers X-Public-ID / X-Secret-Key, JSON. Our reference
// (../shared/reference/providers.md §13) confirms the base URL, the headers, POST /contact with
// {first_name, last_name, email, role, send_welcome_email, company_name?, custom_fields?},
// GET /contacts, GET /contact/{uid|email} and the list shape {data, meta.pagination}. Everything
// else is UNCONFIRMED and marked so below; every path lives in PATHS so it can be corrected in
// one place once SuiteDash's documentation is checked.
import { HttpError, type HttpResponse } from "@/lib/http";
import { classifyFailure, ProviderError, type ProviderFailure } from "@/lib/providers/errors";
import type { ProviderContext } from "@/lib/providers/types";

export const SUITEDASH_ROLES = ["Lead", "Client", "Prospect"] as const;
export type SuiteDashRole = (typeof SUITEDASH_ROLES)[number];

/** The seed's Import-mode CSV columns (../shared/seeds/001-…), in order. */
export const SEED_COLUMNS = ["ID", "First Name", "Last Name", "Email", "Phone", "Company", "Service Interest", "Message", "Source", "Created Date", "Tags"] as const;
export type SeedColumn = (typeof SEED_COLUMNS)[number];

export type SuiteDashCredentials = { publicId: string; secretKey: string };
export type SuiteDashConfig = {
  mode: "api" | "import";
  role: SuiteDashRole;
  sendWelcomeEmail: boolean;
  attachTags: boolean;
  importColumns: Partial<Record<SeedColumn, string>>;
};
export type SuiteDashContext = ProviderContext<SuiteDashCredentials, SuiteDashConfig>;

const enc = encodeURIComponent;

/** Every SuiteDash path we call. */
export const PATHS = {
  /** confirmed: a list ({data:[…], meta:{pagination:{totalPages}}}); used as the connection test */
  contacts: (page: number) => `/contacts?page=${page}`,
  /** confirmed: GET by uid or e-mail. UNCONFIRMED: that an unknown e-mail answers 404 */
  contact: (uidOrEmail: string) => `/contact/${enc(uidOrEmail)}`,
  /** confirmed: create */
  createContact: () => `/contact`,
  /** UNCONFIRMED: update (PUT /contact/{id}) */
  updateContact: (id: string) => `/contact/${enc(id)}`,
  /**
   * UNCONFIRMED: attaching tags. Our reference names no tag endpoint; this is a guess the
   * sandbox emulates. Admins can switch it off (config attachTags) if SuiteDash answers 404.
   */
  tags: (id: string) => `/contact/${enc(id)}/tags`,
} as const;

/** A SuiteDash call that did not work: the HTTP status (0 = no answer) and a sentence. */
export class SuiteDashError extends ProviderError {
  constructor(
    message: string,
    public status: number,
    retryAfterSeconds?: number,
    failure?: ProviderFailure,
  ) {
    super(message, {
      retryable: status === 0 || status === 429 || status >= 500,
      status: status || null,
      retryAfterSeconds,
      failure: failure ?? (status >= 200 && status < 300 ? "invalid_response" : undefined),
    });
    this.name = "SuiteDashError";
  }
  /** 5xx, 429 and no answer are worth retrying; any other 4xx is the request's fault */
  get transient() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** The part of a contact we depend on. UNCONFIRMED: the id field's name (uid vs id). */
export type SdContact = { uid?: string; id?: string | number; email?: string; first_name?: string; last_name?: string; tags?: string[] };

function url(ctx: SuiteDashContext, path: string) {
  return `${ctx.baseUrl.replace(/\/$/, "")}${path}`;
}

function errorText(res: HttpResponse): string {
  try {
    const b = res.json<{ message?: unknown; error?: unknown }>();
    const m = typeof b?.message === "string" ? b.message : typeof b?.error === "string" ? b.error : null;
    if (m) return m.slice(0, 300);
  } catch {
    /* not JSON */
  }
  return res.text.slice(0, 200) || `HTTP ${res.status}`;
}

/** One SuiteDash call; the parsed JSON answer or a SuiteDashError. */
export async function sdCall<T>(
  ctx: SuiteDashContext,
  action: string,
  req: { method: "GET" | "POST" | "PUT"; path: string; body?: Record<string, unknown>; allow404?: boolean; related?: { type: string; id: string } },
): Promise<T | null> {
  let res: HttpResponse;
  try {
    res = await ctx.call(
      action,
      {
        method: req.method,
        url: url(ctx, req.path),
        headers: { "X-Public-ID": ctx.credentials.publicId, "X-Secret-Key": ctx.credentials.secretKey, Accept: "application/json" },
        body: req.body,
        // POST /contact is not idempotent (a retried lost answer could create a duplicate):
        // lib/http.ts retries GET and PUT only
      },
      // a 404 the caller asked for (the lookup before "create or update") is its answer, not a failure
      { ...(req.related ? { related: req.related } : {}), ...(req.allow404 ? { expect: [404] } : {}) },
    );
  } catch (e) {
    if (e instanceof HttpError) {
      const c = classifyFailure(e, { name: "SuiteDash" });
      throw new SuiteDashError(c.failure === "timeout" ? c.message : `Could not reach SuiteDash: ${c.detail}`, 0, undefined, c.failure);
    }
    throw e;
  }
  if (res.status === 404 && req.allow404) return null;
  if (!res.ok) {
    const text = errorText(res);
    const c = classifyFailure(res, { name: "SuiteDash" });
    if (c.failure === "auth") {
      throw new SuiteDashError(`SuiteDash rejected the Public ID or Secret Key (${res.status}): copy both again from SuiteDash → Integrations → Secure API`, res.status);
    }
    if (c.failure === "rate_limited") {
      const s = c.retryAfterSeconds;
      throw new SuiteDashError(`SuiteDash is rate limiting this account (429)${s !== undefined ? `: retry in ${s} s` : ""}`, 429, s);
    }
    if (c.failure === "provider") throw new SuiteDashError(`SuiteDash had a server error (HTTP ${res.status}): ${text}`, res.status);
    throw new SuiteDashError(`SuiteDash refused the request (HTTP ${res.status}): ${text}`, res.status);
  }
  try {
    return res.json<T>();
  } catch {
    throw new SuiteDashError("SuiteDash answered with something that is not JSON", res.status);
  }
}

/** UNCONFIRMED: single-object answers wrapped as {data: {...}} (as the lists are) or bare. */
function unwrap(body: unknown): SdContact | null {
  if (!body || typeof body !== "object") return null;
  const b = body as { data?: unknown };
  const c = (b.data && typeof b.data === "object" && !Array.isArray(b.data) ? b.data : body) as SdContact;
  return c;
}

function idOf(c: SdContact | null): string | null {
  const id = c?.uid ?? c?.id;
  return id === undefined || id === null || id === "" ? null : String(id);
}

export type ContactInput = {
  firstName: string;
  lastName: string;
  email: string;
  phone?: string | null;
  company?: string | null;
  serviceInterest?: string | null;
  message?: string | null;
  source?: string | null;
  tags: string[];
};

/** The contact's fields in SuiteDash's wire format. */
function contactBody(ctx: SuiteDashContext, c: ContactInput, create: boolean): Record<string, unknown> {
  // UNCONFIRMED: custom field keys. SuiteDash stores anything beyond name/e-mail/company in
  // custom fields the account defines; these keys must exist there to be kept.
  const custom: Record<string, string> = {};
  if (c.phone) custom.phone = c.phone;
  if (c.serviceInterest) custom.service_interest = c.serviceInterest;
  if (c.message) custom.message = c.message;
  if (c.source) custom.source = c.source;
  return {
    first_name: c.firstName,
    last_name: c.lastName,
    email: c.email,
    // "Lead" is how SuiteDash models a lead: a contact with that role (confirmed field). We
    // call no separate lead endpoint: none is confirmed.
    ...(create ? { role: ctx.config.role ?? "Lead", send_welcome_email: ctx.config.sendWelcomeEmail ?? false } : {}),
    ...(c.company ? { company_name: c.company } : {}),
    ...(Object.keys(custom).length ? { custom_fields: custom } : {}),
  };
}

export type UpsertResult = { externalId: string; created: boolean; tagged: boolean };

/**
 * Create or update by e-mail: GET /contact/{email} → PUT /contact/{id} when found, else
 * POST /contact; then the tags (UNCONFIRMED endpoint, skipped when config.attachTags is off).
 * Throws SuiteDashError; never reports success without an id from SuiteDash.
 */
export async function upsertContact(ctx: SuiteDashContext, c: ContactInput, related?: { type: string; id: string }): Promise<UpsertResult> {
  const found = unwrap(await sdCall(ctx, "suitedash.contact.find", { method: "GET", path: PATHS.contact(c.email), allow404: true, related }));
  let externalId = idOf(found);
  let created = false;
  if (externalId) {
    await sdCall(ctx, "suitedash.contact.update", { method: "PUT", path: PATHS.updateContact(externalId), body: contactBody(ctx, c, false), related });
  } else {
    const answer = unwrap(await sdCall(ctx, "suitedash.contact.create", { method: "POST", path: PATHS.createContact(), body: contactBody(ctx, c, true), related }));
    externalId = idOf(answer);
    if (!externalId) throw new SuiteDashError("SuiteDash accepted the contact but its answer has no contact id (uid)", 200);
    created = true;
  }
  let tagged = false;
  if (c.tags.length && ctx.config.attachTags !== false) {
    await sdCall(ctx, "suitedash.contact.tags", { method: "POST", path: PATHS.tags(externalId), body: { tags: c.tags }, related });
    tagged = true;
  }
  return { externalId, created, tagged };
}

export type ContactList = { data?: SdContact[]; meta?: { pagination?: { totalPages?: number; total?: number } } };
