// Organisation settings as the rest of the code reads them: `getSettings()` (async, at most a
// few seconds old) and `cachedSettings()` (synchronous, for code that cannot await: the public
// base URL, the GPS ingest). Stored values override the defaults field by field; unset fields
// follow them (retention: the environment variables, so env stays the default).
//
// The stored rows are cached per process for SETTINGS_TTL_MS. A change made here is seen at
// once; other web instances and workers see it within that time (a stale read starts a refresh
// in the background). Reads use node-postgres, not Prisma: the GPS ingest and the exports stay
// free of it. Writes are in lib/settings/service.ts.
import { pgPool } from "@/lib/pg";
import { env, type Env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { STORED, SETTING_KEYS, type Settings, type StoredSettings, type SettingKey } from "@/lib/settings/schema";

export type { Settings, StoredSettings, SettingKey } from "@/lib/settings/schema";

export const SETTINGS_TTL_MS = 5_000;

type Meta = { updatedAt: Date | null; updatedById: string | null };
type Cache = {
  /** the database the rows came from (tests give every file its own) */
  url: string | undefined;
  stored: StoredSettings | null;
  meta: Meta;
  at: number;
  loading: Promise<StoredSettings> | null;
  /** the last merge, reused while neither the rows nor the environment changed */
  merged: { stored: StoredSettings; env: Env; value: Settings } | null;
};

// on globalThis: Next.js may load this module more than once in a process (route handlers,
// server components), and they must share one cache
const g = globalThis as unknown as { __sbSettings?: Cache };

function cache(): Cache {
  const url = process.env.DATABASE_URL;
  if (!g.__sbSettings || g.__sbSettings.url !== url) {
    g.__sbSettings = { url, stored: null, meta: { updatedAt: null, updatedById: null }, at: 0, loading: null, merged: null };
  }
  return g.__sbSettings;
}

const EMPTY: StoredSettings = { organization: {}, retention: {}, publicBaseUrl: "" };

function serverTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** What each field is when nobody set it. */
export function settingDefaults(e: Env = env()): Settings {
  return {
    organization: { name: "Switchboard", timeZone: serverTimeZone(), defaultCurrency: "RUB" },
    retention: {
      logsDays: e.LOG_RETENTION_DAYS,
      webhooksDays: e.WEBHOOK_RETENTION_DAYS,
      messagesDays: e.MESSAGE_RETENTION_DAYS,
      gpsDays: e.GPS_STORE_HISTORY_DAYS,
      exportTtlHours: e.EXPORT_TTL_HOURS,
    },
    publicBaseUrl: "",
  };
}

/** The stored fields over the defaults. */
export function mergeSettings(stored: StoredSettings, defaults: Settings = settingDefaults()): Settings {
  return {
    organization: { ...defaults.organization, ...stored.organization },
    retention: { ...defaults.retention, ...stored.retention },
    publicBaseUrl: stored.publicBaseUrl,
  };
}

/** Rows as stored, each validated by its key's schema (an invalid row falls back to the defaults, loudly). */
export function parseStored(rows: { key: string; value: unknown }[]): StoredSettings {
  const out: StoredSettings = { organization: {}, retention: {}, publicBaseUrl: "" };
  for (const row of rows) {
    if (!(SETTING_KEYS as string[]).includes(row.key)) continue;
    const key = row.key as SettingKey;
    const r = STORED[key].safeParse(row.value);
    if (r.success) (out as Record<SettingKey, unknown>)[key] = r.data;
    else logger.warn({ key, issues: r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) }, "stored setting is invalid: using its defaults");
  }
  return out;
}

async function load(c: Cache): Promise<StoredSettings> {
  const r = await pgPool().query<{ key: string; value: unknown; updated_at: Date; updated_by_id: string | null }>(
    "select key, value, updated_at, updated_by_id from settings",
  );
  const stored = parseStored(r.rows);
  const last = r.rows.reduce<(typeof r.rows)[number] | null>((a, x) => (!a || x.updated_at > a.updated_at ? x : a), null);
  if (cache() === c) {
    c.stored = stored;
    c.meta = { updatedAt: last?.updated_at ?? null, updatedById: last?.updated_by_id ?? null };
    c.at = Date.now();
  }
  return stored;
}

function refresh(c: Cache): Promise<StoredSettings> {
  if (!c.loading) {
    c.loading = load(c).finally(() => {
      c.loading = null;
    });
  }
  return c.loading;
}

function effective(c: Cache): Settings {
  const stored = c.stored ?? EMPTY;
  const e = env();
  if (c.merged && c.merged.stored === stored && c.merged.env === e) return c.merged.value;
  const value = mergeSettings(stored, settingDefaults(e));
  c.merged = { stored, env: e, value };
  return value;
}

/** The settings, read from the database when the cached copy is older than a few seconds. */
export async function getSettings(): Promise<Settings> {
  const c = cache();
  if (!c.stored || Date.now() - c.at > SETTINGS_TTL_MS) await refresh(c);
  return effective(c);
}

/** Stored fields only (what an admin set) and when the last change was made. */
export async function getStoredSettings(): Promise<StoredSettings & Meta> {
  const c = cache();
  if (!c.stored || Date.now() - c.at > SETTINGS_TTL_MS) await refresh(c);
  return { ...(c.stored ?? EMPTY), ...c.meta };
}

/**
 * The settings without waiting: the cached copy (the defaults until the first read finishes).
 * A copy older than a few seconds is refreshed in the background for the next call.
 */
export function cachedSettings(): Settings {
  const c = cache();
  if ((!c.stored || Date.now() - c.at > SETTINGS_TTL_MS) && !c.loading && c.url) {
    refresh(c).catch((e) => {
      c.at = Date.now(); // the next try after the TTL, not on every call
      logger.warn({ err: (e as Error).message }, "settings could not be read: using the cached values or defaults");
    });
  }
  return effective(c);
}

/** After a write in this process: the new rows at once, without a read. */
export function primeSettings(stored: StoredSettings, meta: Meta) {
  const c = cache();
  c.stored = stored;
  c.meta = meta;
  c.at = Date.now();
}

/** Tests: forget the cached rows. */
export function forgetSettings() {
  g.__sbSettings = undefined;
}

// the web process reads them as soon as anything that builds public URLs is loaded, so the
// first request already sees them (not during `next build`, which has no database)
if (process.env.DATABASE_URL && process.env.NEXT_PHASE !== "phase-production-build") cachedSettings();
