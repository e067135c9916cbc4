// Integrations: create, configure, test, enable/disable, delete. Credentials are validated
// by the provider's zod schema, encrypted before they reach the database, and only ever
// leave this module masked.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { db } from "@/lib/db";
import { Prisma, type Integration } from "@/generated/prisma/client";
import { env } from "@/lib/env";
import { errors } from "@/lib/errors";
import { knownKeys, storedSchema } from "@/lib/providers/stored";
import { getProvider, listProviders } from "@/lib/providers/registry";
import type { ProviderContext, ProviderDefinition, TestResult } from "@/lib/providers/types";
import { encryptJson, decryptJson, aadFor, mask } from "@/lib/vault";
import { request, providerFetch, recordCall, type CallContext } from "@/lib/http";
import { audit, diff, type Who } from "@/lib/audit";
import { logger } from "@/lib/logger";
import { retire, retiredSecrets } from "@/lib/webhooks/secrets";
import { forgetIntegration } from "@/lib/webhooks/cache";
import { forgetRoutes } from "@/lib/integrations/cache";
import { publicBaseUrl } from "@/lib/urls";
import { getAccessToken } from "@/lib/oauth/tokens";
import { parseAllWith, parseWith, zodDetails } from "@/lib/api";
import { createIntegrationFields, INTEGRATION_STATUSES, updateIntegrationInput } from "@/lib/integrations/contract";
import type { JsonSchema, Provider as ProviderDescription } from "@/lib/integrations/contract";

// ───────────── provider descriptions (drive the admin forms) ─────────────

export function secretFields(def: ProviderDefinition): string[] {
  return Object.entries(def.credentials.shape)
    .filter(([, s]) => (s as z.ZodType).meta()?.secret === true)
    .map(([k]) => k);
}

/** The settings that decide where credentials are sent: apiEndpoint and mode always, plus the provider's own. */
/** Secret fields Switchboard fills in itself (`.meta({ secret: true, generated: true })`): no person knows them. */
function generatedSecretFields(def: ProviderDefinition): string[] {
  return secretFields(def).filter((k) => (def.credentials.shape[k] as z.ZodType).meta()?.generated === true);
}

export function destinationFields(def: ProviderDefinition): string[] {
  return [...new Set(["apiEndpoint", "mode", ...(def.destinationFields ?? [])])];
}

const FIELD_LABELS: Record<string, string> = { apiEndpoint: "the endpoint", mode: "the mode" };

/** What an update changes among the destination fields, compared by value (sending the same value again is no change). */
function changedDestinations(
  def: ProviderDefinition,
  row: Integration,
  patch: { mode?: string; apiEndpoint?: string | null },
  nextConfig: Record<string, unknown> | undefined,
): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  let oldConfig: Record<string, unknown> | undefined;
  return destinationFields(def).filter((f) => {
    if (f === "apiEndpoint") return patch.apiEndpoint !== undefined && !same(patch.apiEndpoint, row.apiEndpoint);
    if (f === "mode") return patch.mode !== undefined && patch.mode !== row.mode;
    if (!f.startsWith("config.") || !nextConfig) return false;
    // the stored config read with today's defaults, so a default added since is not a "change"
    oldConfig ??= (storedSchema(def.config).safeParse(row.config ?? {}).data as Record<string, unknown> | undefined) ?? ((row.config ?? {}) as Record<string, unknown>);
    const key = f.slice("config.".length);
    return !same(nextConfig[key], oldConfig[key]);
  });
}

function describeField(def: ProviderDefinition, path: string) {
  if (FIELD_LABELS[path]) return FIELD_LABELS[path];
  const key = path.replace(/^config\./, "");
  const title = (def.config.shape[key] as z.ZodType | undefined)?.meta()?.title;
  return typeof title === "string" ? `“${title}”` : key;
}

type ZodInternals = { _zod: { def: { innerType?: ZodInternals; format?: string; error?: (issue: object) => unknown; checks?: ZodInternals[] } } };

/**
 * A field's own wording for a wrong format ("A bot token looks like 123456789:AA…"): JSON Schema
 * has no place for it, so the form gets it beside the pattern and says the same as the server.
 */
function formatMessage(field: unknown): string | undefined {
  let s = field as ZodInternals | undefined;
  while (s?._zod.def.innerType) s = s._zod.def.innerType; // optional, default, nullable
  if (!s) return undefined;
  for (const c of [s, ...(s._zod.def.checks ?? [])]) {
    if (!c._zod.def.format) continue;
    const m = c._zod.def.error?.({});
    if (typeof m === "string") return m;
  }
  return undefined;
}

/** A provider's credentials or config as the form gets them: JSON Schema plus each field's format wording. */
function formSchema(schema: z.ZodObject): JsonSchema {
  const json = z.toJSONSchema(schema, { io: "input" }) as JsonSchema;
  for (const [key, prop] of Object.entries(json.properties ?? {})) {
    const m = formatMessage(schema.shape[key]);
    if (m) prop.formatMessage = m;
  }
  return json;
}

export function describeProvider(def: ProviderDefinition): ProviderDescription {
  return {
    id: def.id,
    name: def.name,
    category: def.category,
    description: def.description,
    docsUrl: def.docsUrl ?? null,
    capabilities: [...def.capabilities],
    /** messaging channels it can send on (the outbox's routes) */
    channels: [...(def.messaging?.channels ?? [])],
    auth: def.auth.type,
    credentialsSchema: formSchema(def.credentials),
    configSchema: formSchema(def.config),
    secretFields: secretFields(def),
    destinationFields: destinationFields(def),
    endpoints: {
      live: def.defaultEndpoints.live ?? null,
      sandbox: def.defaultEndpoints.sandbox ? sandboxUrl(def.defaultEndpoints.sandbox) : null,
    },
    modes: def.defaultEndpoints.sandbox ? ["sandbox", "live"] : ["live"],
    syncTypes: (def.sync?.types ?? []).map((t) => ({ ...t })),
  };
}

export function providerCatalog() {
  return listProviders().map(describeProvider);
}

/** Where the provider must send this integration's webhooks (shown to admins to copy). */
export function webhookUrl(provider: string, code: string) {
  const base = publicBaseUrl();
  const path = provider === "generic-webhook" ? `receive/${encodeURIComponent(code)}` : `${provider}/${encodeURIComponent(code)}`;
  return `${base}/api/webhooks/${path}`;
}

export function sandboxUrl(path: string) {
  return `${env().SANDBOX_URL.replace(/\/$/, "")}${path}`;
}

export function resolveEndpoint(def: ProviderDefinition, row: Pick<Integration, "mode" | "apiEndpoint" | "code">): string {
  const raw =
    row.apiEndpoint ??
    (row.mode === "sandbox"
      ? def.defaultEndpoints.sandbox && sandboxUrl(def.defaultEndpoints.sandbox)
      : def.defaultEndpoints.live) ??
    "";
  return raw.replace("{code}", encodeURIComponent(row.code));
}

function requireProvider(id: string): ProviderDefinition {
  const def = getProvider(id);
  if (!def) throw errors.validation(`Unknown provider "${id}"`, [{ path: "provider", message: "Unknown provider" }]);
  return def;
}

// ───────────── input schemas: lib/integrations/contract.ts (shared by the API and the forms) ─────────────

/** A known provider's credentials and config, checked beside the rest of the body (one answer for every field). */
function providerParts(v: { provider?: unknown; credentials?: unknown; config?: unknown }, ctx: z.RefinementCtx) {
  const def = typeof v?.provider === "string" ? getProvider(v.provider.trim()) : undefined;
  if (!def) return;
  for (const part of ["credentials", "config"] as const) {
    const r = def[part].safeParse(v[part] ?? {});
    if (r.success) continue;
    for (const d of zodDetails(r.error)) ctx.addIssue({ code: "custom", message: d.message, path: [part, ...(d.path ? d.path.split(".") : [])] });
  }
}

export const createIntegrationInput = createIntegrationFields.superRefine(providerParts, { when: () => true });

export type CreateIntegrationInput = z.input<typeof createIntegrationInput>;
export type UpdateIntegrationInput = z.input<typeof updateIntegrationInput>;

function slugify(name: string) {
  const s = name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50);
  return s.length >= 2 ? s : `integration-${randomUUID().slice(0, 8)}`;
}

/** The slug itself, or slug-2, slug-3 … whichever is free. */
async function unusedCode(slug: string): Promise<string> {
  const taken = new Set(
    (await db.integration.findMany({ where: { code: { startsWith: slug } }, select: { code: true } })).map((r) => r.code),
  );
  if (!taken.has(slug)) return slug;
  for (let i = 2; ; i++) if (!taken.has(`${slug}-${i}`)) return `${slug}-${i}`;
}

// ───────────── serialization ─────────────

export type IntegrationView = ReturnType<typeof serialize>;

function readCredentials(row: Pick<Integration, "id" | "credentials">): Record<string, unknown> {
  return row.credentials ? decryptJson<Record<string, unknown>>(row.credentials, aadFor.integrationCredentials(row.id)) : {};
}

/**
 * The API's view of an integration. `credentials` appear only when asked for (admins), and
 * then only masked: `{ botToken: { set: true, masked: "••••••••wxyz" } }`.
 */
export function serialize(row: Integration, opts: { withCredentials?: boolean } = {}) {
  const def = getProvider(row.provider);
  let credentials: Record<string, { set: boolean; masked: string | null; secret: boolean; value?: unknown }> | undefined;
  if (opts.withCredentials && def) {
    const secrets = secretFields(def);
    const stored = readCredentials(row);
    credentials = {};
    for (const key of Object.keys(def.credentials.shape)) {
      const v = stored[key];
      const isSecret = secrets.includes(key);
      const set = v !== undefined && v !== null && v !== "";
      credentials[key] = isSecret
        ? { set, masked: set ? mask(String(v)) : null, secret: true }
        : { set, masked: null, secret: false, value: v ?? null };
    }
  }
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    provider: row.provider,
    providerName: def?.name ?? row.provider,
    category: row.category,
    description: row.description,
    status: row.status,
    enabled: row.status !== "inactive",
    mode: row.mode,
    apiEndpoint: row.apiEndpoint,
    endpoint: def ? resolveEndpoint(def, row) : null,
    /** OAuth providers: the grant and the redirect URI to register in the provider's console */
    oauth:
      def?.auth.type === "oauth2"
        ? { grant: def.auth.grant, redirectUri: `${publicBaseUrl()}/api/oauth/${encodeURIComponent(def.id)}/callback` }
        : null,
    config: row.config as Record<string, unknown>,
    state: row.state as Record<string, unknown>,
    autoSync: row.autoSync,
    syncIntervalMinutes: row.syncIntervalMinutes,
    priority: row.priority,
    /** what the outbox may send through it */
    channels: def?.messaging?.channels ?? [],
    lastSyncAt: row.lastSyncAt,
    nextSyncAt: row.nextSyncAt,
    lastTest: row.lastTestAt ? { at: row.lastTestAt, ok: row.lastTestOk, message: row.lastTestMessage } : null,
    lastSuccessAt: row.lastSuccessAt,
    lastError: row.lastError ? { at: row.lastErrorAt, message: row.lastError } : null,
    hasCredentials: !!row.credentials,
    webhook: def?.webhook
      ? {
          url: webhookUrl(row.provider, row.code),
          scheme: def.webhook.scheme,
          /** previous secrets still accepted (values never leave the server) */
          rotating: opts.withCredentials ? retiredSecrets(row).map((r) => ({ field: r.field, expiresAt: r.expiresAt })) : [],
        }
      : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(credentials ? { credentials } : {}),
  };
}

// ───────────── context for provider code ─────────────

export async function getIntegrationRow(id: string): Promise<Integration> {
  const row = await db.integration.findUnique({ where: { id } });
  if (!row) throw errors.notFound("Integration");
  return row;
}

// Decrypted and validated credentials, kept per ciphertext for a short while: a bulk send builds
// a context per message, and the same envelope always decrypts to the same value.
const credentialCache = new Map<string, { at: number; result: ReturnType<ProviderDefinition["credentials"]["safeParse"]> }>();

function parsedCredentials(def: ProviderDefinition, row: Integration) {
  const key = `${def.id}:${row.id}:${row.credentials ?? ""}`;
  const hit = credentialCache.get(key);
  if (hit && Date.now() - hit.at < 60_000) return hit.result;
  const result = storedSchema(def.credentials).safeParse(readCredentials(row));
  if (credentialCache.size >= 200) credentialCache.delete(credentialCache.keys().next().value!);
  credentialCache.set(key, { at: Date.now(), result });
  return result;
}

/** Decrypts and validates what a provider needs to make calls for this integration. */
export function buildContext(
  row: Integration,
  /** secrets: more values to scrub from this context's call logs (a message's one-time code) */
  opts: { signal?: AbortSignal; related?: CallContext["related"]; secrets?: readonly string[] } = {},
): ProviderContext {
  const def = getProvider(row.provider);
  if (!def) throw errors.unprocessable(`The provider "${row.provider}" is not available in this version`);
  const cred = parsedCredentials(def, row);
  if (!cred.success) {
    throw errors.unprocessable("The integration's credentials are incomplete: fill them in on its settings page", zodDetails(cred.error));
  }
  const conf = storedSchema(def.config).safeParse(row.config ?? {});
  if (!conf.success) throw errors.unprocessable("The integration's configuration is invalid", zodDetails(conf.error));
  const secretValues = [
    ...secretFields(def)
      .map((k) => (cred.data as Record<string, unknown>)[k])
      .filter((v): v is string => typeof v === "string" && v.length > 0),
    ...(opts.secrets ?? []),
  ];
  const base: CallContext = {
    provider: def.id,
    action: "",
    integrationId: row.id,
    secrets: secretValues,
    signal: opts.signal,
    related: opts.related,
    network: def.network ?? "public",
  };
  const ctx: ProviderContext = {
    integration: { id: row.id, code: row.code, name: row.name, mode: row.mode, apiEndpoint: row.apiEndpoint },
    credentials: cred.data as Record<string, unknown>,
    config: conf.data as Record<string, unknown>,
    baseUrl: resolveEndpoint(def, row),
    secrets: secretValues,
    network: base.network,
    state: (row.state ?? {}) as Record<string, unknown>,
    signal: opts.signal,
    // the provider's network policy is not something a call can widen
    call: (action, req, extra) => request({ ...base, ...extra, network: base.network, action }, req),
    fetch: (action, extra) => providerFetch({ ...base, ...extra, network: base.network, action }),
    record: (action, entry) => recordCall({ ...base, action }, entry),
    webhookUrl: webhookUrl(def.id, row.code),
    accessToken: (o) => getAccessToken(ctx, def, o),
  };
  return ctx;
}

// ───────────── commands ─────────────

/** The integration's state with a provider's new findings on top. */
export function mergeState(current: unknown, patch: Record<string, unknown>): Prisma.InputJsonObject {
  return { ...((current ?? {}) as object), ...patch } as Prisma.InputJsonObject;
}


async function connectSandbox(row: Integration) {
  const def = getProvider(row.provider);
  if (row.mode !== "sandbox" || !def?.sandboxConnect || !row.credentials) return;
  try {
    await def.sandboxConnect(buildContext(row));
  } catch (e) {
    logger.warn({ integration: row.code, err: (e as Error).message }, "sandbox connect failed");
  }
}

/**
 * The sandboxes keep their settings in memory: after a restart, every sandbox-mode
 * integration registers its webhook URLs again (npm start calls this).
 */
export async function reconnectSandboxes(): Promise<number> {
  const rows = await db.integration.findMany({ where: { mode: "sandbox", status: { not: "inactive" } } });
  let n = 0;
  for (const row of rows) {
    if (!getProvider(row.provider)?.sandboxConnect) continue;
    await connectSandbox(row);
    n++;
  }
  return n;
}

export async function createIntegration(input: CreateIntegrationInput, who: Who) {
  // the body, the provider's credentials and its config are checked together: every field's
  // problem in one answer (a form shows them all at once)
  const raw = (input ?? {}) as Record<string, unknown>;
  const known = typeof raw.provider === "string" ? getProvider(raw.provider.trim()) : undefined;
  // an unknown provider: the body's own 400, or the provider's 404
  if (!known) requireProvider(parseWith(createIntegrationInput, input, "body").provider);
  const def = known!;
  const [data, credentials, config] = parseAllWith(
    [createIntegrationFields, input, "body"],
    [def.credentials, raw.credentials ?? {}, "credentials"],
    [def.config, raw.config ?? {}, "config"],
  );
  if (data.mode === "sandbox" && !def.defaultEndpoints.sandbox && !data.apiEndpoint) {
    throw errors.validation(`${def.name} has no sandbox: use live mode or give an endpoint`, [{ path: "mode", message: "No sandbox" }]);
  }
  const id = randomUUID();
  let code: string;
  if (data.code) {
    code = data.code;
    if (await db.integration.findUnique({ where: { code } })) {
      throw errors.conflict(`The code "${code}" is already used by another integration`, [{ path: "code", message: "Already used" }]);
    }
  } else {
    code = await unusedCode(slugify(data.name));
  }
  const row = await db.integration.create({
    data: {
      id,
      code,
      name: data.name,
      provider: def.id,
      category: def.category,
      description: data.description ?? null,
      mode: data.mode,
      status: data.enabled ? "testing" : "inactive",
      apiEndpoint: data.apiEndpoint ?? null,
      credentials: encryptJson(credentials, aadFor.integrationCredentials(id)),
      config: config as object,
      autoSync: data.autoSync && !!def.sync,
      syncIntervalMinutes: data.syncIntervalMinutes ?? null,
      priority: data.priority,
      nextSyncAt: data.autoSync && data.syncIntervalMinutes ? new Date() : null,
      createdById: who.actor.type === "user" ? who.actor.id : null,
    },
  });
  forgetRoutes();
  await audit(
    who.actor,
    "integration.create",
    "integration",
    row.id,
    {
      provider: def.id,
      code,
      name: row.name,
      mode: row.mode,
      apiEndpoint: row.apiEndpoint,
      config,
      credentials: Object.fromEntries(Object.keys(credentials).map((k) => [k, "[set]"])),
    },
    who.meta,
  );
  await connectSandbox(row);
  return row;
}

export async function updateIntegration(id: string, input: UpdateIntegrationInput, who: Who) {
  const patch = parseWith(updateIntegrationInput, input, "body");
  const row = await getIntegrationRow(id);
  const def = requireProvider(row.provider);
  const data: Record<string, unknown> = {};
  const changes: Record<string, unknown> = {};

  // Changing where the credentials go (endpoint, mode, SMTP host …) must not carry the stored
  // secrets along: whoever points the integration elsewhere enters every secret again, or a
  // write-scoped key could aim it at its own server and press Test to collect them.
  const nextConfig = patch.config ? parseWith(def.config, { ...knownKeys(def.config, row.config), ...patch.config }, "config") : undefined;
  const moved = changedDestinations(def, row, patch, nextConfig as Record<string, unknown> | undefined);
  // secrets Switchboard generated itself cannot be entered again: they are dropped (and made anew)
  let dropGenerated: string[] = [];
  if (moved.length) {
    const stored = readCredentials(row);
    const given = (k: string) => {
      const v = patch.credentials?.[k];
      return v !== undefined && v !== null && v !== "";
    };
    const isSet = (k: string) => stored[k] !== undefined && stored[k] !== null && stored[k] !== "";
    const generated = generatedSecretFields(def);
    dropGenerated = generated.filter((k) => isSet(k) && !given(k));
    const missing = secretFields(def).filter((k) => !generated.includes(k) && isSet(k) && !given(k));
    if (missing.length) {
      const what = moved.map((f) => describeField(def, f)).join(", ");
      throw errors.validation(
        `Changing ${what} changes where the credentials are sent: enter every secret again in the same request (${missing.join(", ")})`,
        missing.map((k) => ({ path: `credentials.${k}`, message: `Enter it again: ${what} changed, and stored secrets are not sent to a new destination` })),
      );
    }
  }

  if (patch.credentials || dropGenerated.length) {
    const secrets = secretFields(def);
    const current = readCredentials(row);
    const merged: Record<string, unknown> = knownKeys(def.credentials, current);
    for (const k of dropGenerated) delete merged[k];
    for (const [k, v] of Object.entries(patch.credentials ?? {})) {
      if (secrets.includes(k) && (v === undefined || v === null || v === "")) continue; // keep the stored secret
      merged[k] = v;
    }
    const next = parseWith(def.credentials, merged, "credentials");
    data.credentials = encryptJson(next, aadFor.integrationCredentials(row.id));
    const changedKeys = Object.keys(next).filter((k) => JSON.stringify((next as Record<string, unknown>)[k]) !== JSON.stringify(current[k]));
    // a replaced webhook-verification secret stays accepted for a grace period (rotation)
    const rotated = changedKeys
      .filter((k) => def.webhook?.secretFields.includes(k) && typeof current[k] === "string")
      .map((k) => ({ field: k, previous: current[k] as string }));
    if (rotated.length) data.webhookSecret = retire(row, rotated);
    // OAuth tokens belong to the client (and, server-to-server, to every credential) they were
    // issued to: another client ID (or account, or secret for Zoom) needs a new token or connect
    if (def.auth.type === "oauth2" && (changedKeys.includes("clientId") || (def.auth.grant === "client_credentials" && changedKeys.length))) {
      changes.oauth = "tokens dropped: the credentials they were issued to changed";
    }
    if (changedKeys.length) {
      changes.credentials = Object.fromEntries(
        changedKeys.map((k) =>
          secrets.includes(k) ? [k, "[changed]"] : [k, { from: current[k] ?? null, to: (next as Record<string, unknown>)[k] ?? null }],
        ),
      );
    }
  }
  if (nextConfig) data.config = nextConfig as object;
  if (patch.mode === "sandbox" && !def.defaultEndpoints.sandbox && !(patch.apiEndpoint ?? row.apiEndpoint)) {
    throw errors.validation(`${def.name} has no sandbox`, [{ path: "mode", message: "No sandbox" }]);
  }
  if (patch.code && patch.code !== row.code) {
    if (await db.integration.findUnique({ where: { code: patch.code } })) {
      throw errors.conflict(`The code "${patch.code}" is already used by another integration`, [{ path: "code", message: "Already used" }]);
    }
    data.code = patch.code;
  }
  for (const k of ["name", "description", "mode", "apiEndpoint", "autoSync", "syncIntervalMinutes", "priority"] as const) {
    if (patch[k] !== undefined) data[k] = patch[k];
  }
  if (data.autoSync && !def.sync) throw errors.validation(`${def.name} has nothing to sync`, [{ path: "autoSync", message: "No sync" }]);
  const autoSync = (data.autoSync as boolean | undefined) ?? row.autoSync;
  const interval = (data.syncIntervalMinutes as number | null | undefined) ?? row.syncIntervalMinutes;
  if (autoSync && !interval) throw errors.validation("Auto-sync needs an interval", [{ path: "syncIntervalMinutes", message: "Required" }]);
  if (patch.autoSync !== undefined || patch.syncIntervalMinutes !== undefined) {
    data.nextSyncAt = autoSync && interval ? new Date(Date.now() + interval * 60_000) : null;
  }
  if (patch.enabled !== undefined) {
    data.status = patch.enabled ? (row.status === "inactive" ? (row.lastTestOk ? "active" : "testing") : row.status) : "inactive";
  }
  // a change of where or how we connect invalidates the last test
  if (data.credentials || data.mode || data.apiEndpoint !== undefined || moved.length) {
    if ((data.status ?? row.status) !== "inactive") data.status = "testing";
  }

  const before: Record<string, unknown> = {
    name: row.name, code: row.code, description: row.description, mode: row.mode, apiEndpoint: row.apiEndpoint,
    autoSync: row.autoSync, syncIntervalMinutes: row.syncIntervalMinutes, status: row.status, config: row.config,
  };
  const afterPlain = Object.fromEntries(Object.entries(data).filter(([k]) => k in before));
  Object.assign(changes, diff(before, { ...before, ...afterPlain }));

  // tokens from the sandbox are no good live (and the other way round); nor are they sent to a new destination
  if (def.auth.type === "oauth2" && patch.mode && patch.mode !== row.mode) changes.oauth = "tokens dropped: the mode changed";
  else if (def.auth.type === "oauth2" && moved.length && !changes.oauth) changes.oauth = `tokens dropped: ${moved.join(", ")} changed`;
  const [updated] = await db.$transaction([
    db.integration.update({ where: { id }, data }),
    ...(changes.oauth ? [db.oAuthToken.deleteMany({ where: { integrationId: id } })] : []),
  ]);
  forgetIntegration(row.code, updated.code);
  forgetRoutes();
  // switching it on or off is its own action (the row still lists everything else the request changed)
  const toggled = patch.enabled !== undefined && (updated.status === "inactive") !== (row.status === "inactive");
  const action = toggled ? (patch.enabled ? "integration.enable" : "integration.disable") : "integration.update";
  if (Object.keys(changes).length) await audit(who.actor, action, "integration", id, changes, who.meta);
  if (data.credentials || data.config || data.mode || data.apiEndpoint !== undefined) await connectSandbox(updated);
  return updated;
}

export async function deleteIntegration(id: string, who: Who) {
  const row = await getIntegrationRow(id);
  await db.integration.delete({ where: { id } });
  forgetIntegration(row.code);
  forgetRoutes();
  await audit(who.actor, "integration.delete", "integration", id, { code: row.code, provider: row.provider, name: row.name }, who.meta);
}

export async function testIntegration(id: string, who: Who) {
  const row = await getIntegrationRow(id);
  const def = requireProvider(row.provider);
  const started = Date.now();
  let result: TestResult;
  try {
    const ctx = buildContext(row);
    if (row.mode === "sandbox") await connectSandbox(row);
    result = await def.testConnection(ctx);
  } catch (e) {
    const msg = (e as { message?: string }).message ?? "The test failed";
    result = { ok: false, message: msg };
    if (!(e as { status?: number }).status) logger.warn({ integration: row.code, err: msg }, "test connection threw");
  }
  const durationMs = Date.now() - started;
  const now = new Date();
  const [test] = await db.$transaction([
    db.integrationTest.create({
      data: {
        integrationId: id,
        ok: result.ok,
        message: result.message.slice(0, 2000),
        details: (result.details ?? undefined) as object | undefined,
        durationMs,
        mode: row.mode,
        triggeredById: who.actor.type === "user" ? who.actor.id : null,
      },
    }),
    db.integration.update({
      where: { id },
      data: {
        lastTestAt: now,
        lastTestOk: result.ok,
        lastTestMessage: result.message.slice(0, 2000),
        ...(row.status !== "inactive" ? { status: result.ok ? "active" : "error" } : {}),
        ...(result.ok
          ? { lastSuccessAt: now }
          : { lastErrorAt: now, lastError: result.message.slice(0, 2000) }),
        ...(result.state ? { state: mergeState(row.state, result.state) } : {}),
      },
    }),
  ]);
  return { id: test.id, ok: result.ok, message: result.message, details: result.details ?? null, durationMs, mode: row.mode, at: test.createdAt };
}

export async function listTests(integrationId: string, limit = 20) {
  return db.integrationTest.findMany({
    where: { integrationId },
    orderBy: { createdAt: "desc" },
    take: limit,
  });
}

export const listIntegrationsQuery = z.strictObject({
  provider: z.string().max(64).optional(),
  category: z.string().max(32).optional(),
  status: z.enum(INTEGRATION_STATUSES).optional(),
  q: z.string().trim().max(200).optional(),
});

export async function listIntegrations(filter: z.output<typeof listIntegrationsQuery> = {}) {
  return db.integration.findMany({
    where: {
      provider: filter.provider,
      category: filter.category,
      status: filter.status,
      ...(filter.q
        ? { OR: [{ name: { contains: filter.q, mode: "insensitive" } }, { code: { contains: filter.q, mode: "insensitive" } }] }
        : {}),
    },
    orderBy: [{ category: "asc" }, { name: "asc" }],
  });
}

/** Health for every integration: status, last test, recent error count (last 24 h). */
export async function integrationsHealth() {
  const rows = await listIntegrations();
  const since = new Date(Date.now() - 24 * 3600_000);
  const counts = await db.$queryRaw<{ integration_id: string; errors: bigint; calls: bigint }[]>`
    select integration_id, count(*) filter (where status = 'error') as errors, count(*) as calls
    from integration_logs
    where created_at >= ${since} and integration_id is not null
    group by integration_id`;
  const byId = new Map(counts.map((c) => [c.integration_id, c]));
  return rows.map((r) => {
    const c = byId.get(r.id);
    return {
      id: r.id,
      code: r.code,
      name: r.name,
      provider: r.provider,
      category: r.category,
      status: r.status,
      mode: r.mode,
      lastTest: r.lastTestAt ? { at: r.lastTestAt, ok: r.lastTestOk, message: r.lastTestMessage } : null,
      lastSuccessAt: r.lastSuccessAt,
      lastError: r.lastError ? { at: r.lastErrorAt, message: r.lastError } : null,
      lastSyncAt: r.lastSyncAt,
      calls24h: Number(c?.calls ?? 0),
      errors24h: Number(c?.errors ?? 0),
    };
  });
}
