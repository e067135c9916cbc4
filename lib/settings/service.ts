// The Settings page's API: the effective settings with their defaults and where the public
// base URL comes from, and partial updates (validated per field, null = back to the default)
// written under a lock, audited as settings.update with before → after.
import { z } from "zod";
import { pgPool } from "@/lib/pg";
import { lockInTransaction } from "@/lib/locks";
import { audit, type Who } from "@/lib/audit";
import { publicBaseUrlSource } from "@/lib/urls";
import { getStoredSettings, mergeSettings, parseStored, primeSettings, settingDefaults, type StoredSettings } from "@/lib/settings";
import { settingsPatch, SETTING_KEYS, type SettingsPatch } from "@/lib/settings/schema";


const organization = z.object({ name: z.string(), timeZone: z.string(), defaultCurrency: z.string() });
const retention = z.object({ logsDays: z.number(), webhooksDays: z.number(), messagesDays: z.number(), gpsDays: z.number(), exportTtlHours: z.number() });

/** The answer of GET and PATCH /api/v1/settings (documented in the OpenAPI document). */
export const settingsView = z.object({
  organization,
  retention,
  /** as set here; empty: from the environment */
  publicBaseUrl: z.string(),
  /** what each field is when not set here */
  defaults: z.object({ organization, retention }),
  /** the fields set here (the others follow their defaults) */
  custom: z.object({ organization: z.array(z.string()), retention: z.array(z.string()) }),
  effective: z.object({
    publicBaseUrl: z.string(),
    source: z.enum(["setting", "PUBLIC_BASE_URL", "NEXTAUTH_URL", "request", "default"]),
    /** webhook URLs are this plus /<provider>/<code> */
    webhookUrlBase: z.string(),
  }),
  updatedAt: z.string().nullable(),
});
export type SettingsView = z.output<typeof settingsView>;

function view(stored: StoredSettings, updatedAt: Date | null, req?: { url: string }): SettingsView {
  const defaults = settingDefaults();
  const values = mergeSettings(stored, defaults);
  const base = publicBaseUrlSource(req);
  return {
    organization: values.organization,
    retention: values.retention,
    publicBaseUrl: stored.publicBaseUrl,
    defaults: { organization: defaults.organization, retention: defaults.retention },
    custom: { organization: Object.keys(stored.organization), retention: Object.keys(stored.retention) },
    effective: { publicBaseUrl: base.url, source: base.source, webhookUrlBase: `${base.url}/api/webhooks` },
    updatedAt: updatedAt?.toISOString() ?? null,
  };
}

export async function readSettings(req?: { url: string }): Promise<SettingsView> {
  const s = await getStoredSettings();
  return view(s, s.updatedAt, req);
}

function applyPatch(before: StoredSettings, patch: SettingsPatch): StoredSettings {
  const next: StoredSettings = { organization: { ...before.organization }, retention: { ...before.retention }, publicBaseUrl: before.publicBaseUrl };
  for (const section of ["organization", "retention"] as const) {
    for (const [k, v] of Object.entries(patch[section] ?? {})) {
      const fields = next[section] as Record<string, unknown>;
      if (v === null) delete fields[k];
      else fields[k] = v;
    }
  }
  if (patch.publicBaseUrl !== undefined) next.publicBaseUrl = patch.publicBaseUrl;
  return next;
}

/** { "organization.name": "Acme", …, "publicBaseUrl": "" } */
function flat(s: { organization: object; retention: object; publicBaseUrl: string }): Record<string, unknown> {
  return {
    ...Object.fromEntries(Object.entries(s.organization).map(([k, v]) => [`organization.${k}`, v])),
    ...Object.fromEntries(Object.entries(s.retention).map(([k, v]) => [`retention.${k}`, v])),
    publicBaseUrl: s.publicBaseUrl,
  };
}

/**
 * before → after of every field whose value (or whether it is set here) changed; a field set
 * back to its default is marked `default: true`.
 */
function changesOf(before: StoredSettings, after: StoredSettings) {
  const defaults = settingDefaults();
  const [eb, ea] = [flat(mergeSettings(before, defaults)), flat(mergeSettings(after, defaults))];
  const [sb, sa] = [flat(before), flat(after)];
  const out: Record<string, { from: unknown; to: unknown; default?: true }> = {};
  for (const path of Object.keys(ea)) {
    if (eb[path] === ea[path] && sb[path] === sa[path]) continue;
    out[path] = { from: eb[path] ?? null, to: ea[path] ?? null, ...(sb[path] !== undefined && sa[path] === undefined ? { default: true as const } : {}) };
  }
  return out;
}

export async function updateSettings(input: z.input<typeof settingsPatch>, who: Who, req?: { url: string }): Promise<SettingsView> {
  const patch = settingsPatch.parse(input);
  const client = await pgPool().connect();
  let before: StoredSettings;
  let after: StoredSettings;
  const now = new Date();
  const by = who.actor.type === "user" ? who.actor.id : null;
  try {
    await client.query("begin");
    // two admins saving at once: one after the other, each on top of the other's change
    await lockInTransaction(client, "switchboard.settings");
    before = parseStored((await client.query<{ key: string; value: unknown }>("select key, value from settings")).rows);
    after = applyPatch(before, patch);
    for (const key of SETTING_KEYS) {
      if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
      const empty = key === "publicBaseUrl" ? after[key] === "" : Object.keys(after[key]).length === 0;
      if (empty) await client.query("delete from settings where key = $1", [key]);
      else {
        await client.query(
          `insert into settings (key, value, updated_by_id, updated_at) values ($1, $2::jsonb, $3, $4)
           on conflict (key) do update set value = excluded.value, updated_by_id = excluded.updated_by_id, updated_at = excluded.updated_at`,
          [key, JSON.stringify(after[key]), by, now],
        );
      }
    }
    await client.query("commit");
  } catch (e) {
    await client.query("rollback").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
  const changes = changesOf(before, after);
  if (Object.keys(changes).length) {
    primeSettings(after, { updatedAt: now, updatedById: by });
    await audit(who.actor, "settings.update", "settings", null, changes, who.meta);
    return view(after, now, req);
  }
  return readSettings(req);
}
