// Organisation settings: what each key holds and how it is validated. Shared by lib/settings
// (reads, the cache), the settings service (PATCH) and the settings page (field names).
// Every field of `organization` and `retention` may be left unset: it then follows its default
// (for retention, today's environment variables), so a key stores only what an admin set.
import { z } from "zod";
import { ianaTimeZone } from "@/lib/zod-fields";
import { isCurrency } from "@/lib/money";

const days = z
  .number({ error: "A whole number of days" })
  .int("A whole number of days")
  .min(1, "At least 1 day")
  .max(3650, "At most 3650 days (10 years)");

export const organizationFields = {
  name: z.string({ error: "A name" }).trim().min(1, "Give the organisation a name").max(120, "At most 120 characters"),
  timeZone: ianaTimeZone,
  /** ISO 4217, one the payments code can format and send (lib/money) */
  defaultCurrency: z
    .string({ error: "A currency code" })
    .trim()
    .toUpperCase()
    .refine(isCurrency, "An ISO 4217 currency code such as RUB, USD or EUR"),
};

export const retentionFields = {
  /** integration logs (LOG_RETENTION_DAYS) */
  logsDays: days,
  /** finished webhook events (WEBHOOK_RETENTION_DAYS) */
  webhooksDays: days,
  /** finished messages (MESSAGE_RETENTION_DAYS) */
  messagesDays: days,
  /** GPS positions (GPS_STORE_HISTORY_DAYS) */
  gpsDays: days,
  /** how long an export file stays downloadable (EXPORT_TTL_HOURS) */
  exportTtlHours: z
    .number({ error: "A number of hours" })
    .min(1, "At least 1 hour")
    .max(24 * 365, "At most 8760 hours (a year)"),
};

/**
 * Where people and providers reach this instance: scheme, host and port only (webhook URLs,
 * OAuth redirect URIs and invitation links are built on it). Empty: from the environment
 * (PUBLIC_BASE_URL, else NEXTAUTH_URL).
 */
export const publicBaseUrlSetting = z
  .string({ error: "A URL, or empty" })
  .trim()
  .max(300, "At most 300 characters")
  .superRefine((v, ctx) => {
    if (v === "") return;
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      ctx.addIssue({ code: "custom", message: "An absolute URL such as https://switchboard.example.com" });
      return;
    }
    const problem =
      u.protocol !== "http:" && u.protocol !== "https:"
        ? "Only http:// or https:// URLs"
        : u.username || u.password
          ? "No user name or password in the URL"
          : v.endsWith("/")
            ? "Without a trailing slash"
            : u.pathname !== "/" || u.search || u.hash
              ? "Only scheme, host and port: no path, query or fragment"
              : null;
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .transform((v) => (v === "" ? "" : new URL(v).origin));

const organizationStored = z.object(organizationFields).partial();
const retentionStored = z.object(retentionFields).partial();

/** What a key's row holds: only the fields an admin set. */
export const STORED = {
  organization: organizationStored,
  retention: retentionStored,
  publicBaseUrl: publicBaseUrlSetting,
} as const;

export type SettingKey = keyof typeof STORED;
export const SETTING_KEYS = Object.keys(STORED) as SettingKey[];

export type OrganizationSettings = { name: string; timeZone: string; defaultCurrency: string };
export type RetentionSettings = { logsDays: number; webhooksDays: number; messagesDays: number; gpsDays: number; exportTtlHours: number };
/** The effective settings: what is set, defaults for the rest. */
export type Settings = { organization: OrganizationSettings; retention: RetentionSettings; publicBaseUrl: string };
export type StoredSettings = { organization: Partial<OrganizationSettings>; retention: Partial<RetentionSettings>; publicBaseUrl: string };

/** Each field given, or null to go back to its default. */
function nullableFields<S extends Record<string, z.ZodType>>(fields: S) {
  return z
    .object(Object.fromEntries(Object.entries(fields).map(([k, s]) => [k, s.nullable()])) as { [K in keyof S]: z.ZodNullable<S[K]> })
    .partial()
    .strict();
}

/** PATCH /api/v1/settings: any subset of fields; null resets a field to its default. */
export const settingsPatch = z
  .object({
    organization: nullableFields(organizationFields),
    retention: nullableFields(retentionFields),
    publicBaseUrl: publicBaseUrlSetting,
  })
  .partial()
  .strict();

export type SettingsPatch = z.output<typeof settingsPatch>;
