// Every environment variable Switchboard reads, validated once. Each field's `.describe()` is
// its entry in docs/configuration.md, which scripts/docs-config.ts generates from this schema
// (`npm run docs:config`; lib/env-docs.test.ts fails when the file is out of date). Defaults
// set outside the schema (by `npm start`, or where a value is read) are noted there.
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development").describe("which mode Next.js and the logs run in (the tests use `test`)"),
  DATABASE_URL: z
    .string()
    .min(1, "DATABASE_URL is required (npm start sets it for the embedded database)")
    .describe("any PostgreSQL 14+ (`pg_trgm` is used)"),
  SWITCHBOARD_ENCRYPTION_KEYS: z
    .string()
    .optional()
    .describe("the key ring: `<id>:<base64 32 bytes>` entries, comma-separated, newest first (rotation: [security.md](security.md#key-rotation-and-backups))"),
  DATA_DIR: z.string().default(".data").describe("zero-config state: database, key ring, secrets (and by default export files and the sandbox keys)"),
  NEXTAUTH_SECRET: z.string().min(16).optional().describe("signs session cookies"),
  NEXTAUTH_URL: z.string().url().optional().describe("the URL people open"),
  PUBLIC_BASE_URL: z
    .string()
    .url()
    .optional()
    .describe("where invitation links and webhook URLs point; behind a proxy, the URL providers call (Twilio signs it)"),
  SANDBOX_URL: z
    .string()
    .url()
    .default("http://127.0.0.1:4010")
    .describe("the provider sandboxes (`npm start` runs them on `SANDBOX_PORT`)"),
  /**
   * Outbound calls (lib/net-guard.ts) never reach link-local/metadata addresses, reach loopback
   * only for the sandbox (SANDBOX_URL's host and port), and private ranges only for providers on
   * the customer's network (1C, SMTP, custom webhooks). Hosts named here may be reached on
   * loopback and private addresses by every provider.
   */
  ALLOWED_PRIVATE_HOSTS: z
    .string()
    .regex(/^\s*(\[[0-9a-fA-F:.]+\](:\d{1,5})?|[0-9a-fA-F:]*:[0-9a-fA-F:.]*|[A-Za-z0-9._-]+(:\d{1,5})?)?\s*(,\s*(\[[0-9a-fA-F:.]+\](:\d{1,5})?|[0-9a-fA-F:]*:[0-9a-fA-F:.]*|[A-Za-z0-9._-]+(:\d{1,5})?)?\s*)*$/, "ALLOWED_PRIVATE_HOSTS is a comma-separated list of host or host:port")
    .optional()
    .describe("comma-separated `host` or `host:port` (names or addresses, `[::1]:8080` for IPv6) that provider calls may reach on loopback and private addresses, e.g. `erp.lan,10.0.0.5:8080`; see [security.md](security.md#outbound-addresses-ssrf)"),
  LOG_LEVEL: z
    .enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"])
    .default("info")
    .describe("structured JSON logs on stdout (pino); secrets are redacted"),
  LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30).describe("integration logs older than this are deleted nightly (in batches)"),
  HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000).describe("an outbound provider call's time limit"),
  HTTP_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2).describe("retries of an outbound provider call"),
  API_BODY_LIMIT_BYTES: z
    .coerce.number()
    .int()
    .min(1024)
    .default(1_048_576)
    .describe("larger request bodies get 413, refused at the web server's front for every path before anything reads them (exceptions: `/api/auth` sign-in routes 16 KiB, webhooks `WEBHOOK_BODY_LIMIT_BYTES`, bulk sends 10 MiB, e-mail send 15 MiB)"),
  API_KEY_DEFAULT_RATE_LIMIT: z.coerce.number().int().min(1).default(120).describe("requests per minute for new API keys"),
  LOGIN_MAX_ATTEMPTS: z
    .coerce.number()
    .int()
    .min(1)
    .default(5)
    .describe("failed sign-ins per account from one address (within `LOGIN_WINDOW_SECONDS`) before that address is refused for the account (×20 per address over all accounts); past ×4 failures on an account from anywhere, each attempt waits 0.25 s doubling up to 10 s (never refused); `npm run admin:reset-password` clears an account's limits"),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900).describe("the window over which failed sign-ins are counted"),
  WORKER_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2).describe("how often idle workers look for jobs"),
  WORKERS_IN_WEB: bool.default(false).describe("run job workers inside the web process (`npm start` runs them as their own process)"),
  TRUST_PROXY: bool
    .default(false)
    .describe("take the client address from `X-Forwarded-For` (only behind your own proxy: [operations.md](operations.md#behind-a-reverse-proxy))"),
  TRUST_PROXY_HOPS: z
    .coerce.number()
    .int()
    .min(1)
    .max(20)
    .default(1)
    .describe("with `TRUST_PROXY`: how many proxies of yours append to `X-Forwarded-For`; the client address is that many entries from the right (what a client wrote to the left is ignored)"),

  // ── webhook inbox (lib/webhooks) ──
  WEBHOOK_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1_048_576).default(1_048_576).describe("larger webhook bodies get 413"),
  WEBHOOK_MAX_RETRIES: z.coerce.number().int().min(0).max(50).default(5).describe("automatic retries after the first attempt (for events received from then on)"),
  WEBHOOK_RETRY_BASE_SECONDS: z.coerce.number().min(0.1).max(86_400).default(30).describe("first retry delay, doubling with jitter up to `WEBHOOK_RETRY_MAX_SECONDS`"),
  WEBHOOK_RETRY_MAX_SECONDS: z.coerce.number().min(1).max(7 * 86_400).default(6 * 3600).describe("the cap of the retry delay"),
  WEBHOOK_LEASE_SECONDS: z.coerce.number().min(1).max(3600).default(120).describe("an attempt's hold on an event (then another worker may take it over)"),
  WEBHOOK_HANDLER_TIMEOUT_SECONDS: z.coerce.number().min(0.5).max(3600).default(60).describe("an attempt's time limit (keep it below the lease)"),
  EVENT_DELIVERY_MS: z.coerce.number().int().min(50).max(60_000).default(1000).describe("how often workers deliver the event outbox's events that were not delivered at once (a subscriber failed, a process died)"),
  WEBHOOK_DISPATCH_MS: z.coerce.number().int().min(20).max(60_000).default(200).describe("how often workers queue new events"),
  WEBHOOK_SWEEP_SECONDS: z.coerce.number().min(0.2).max(3600).default(15).describe("how often workers look for lost events (whose job or worker was lost)"),
  WEBHOOK_SECRET_GRACE_HOURS: z.coerce.number().min(0).max(24 * 30).default(24).describe("a replaced webhook secret is still accepted this long"),
  WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300).describe("signed timestamps older (or further ahead) are refused"),
  WEBHOOK_REJECTED_PER_MINUTE: z.coerce.number().int().min(0).default(60).describe("rejected deliveries recorded per integration per minute (the rest are answered, not stored)"),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4).describe("attempts one worker runs at once"),
  WEBHOOK_CONFIG_CACHE_MS: z
    .coerce.number()
    .int()
    .min(0)
    .max(60_000)
    .default(1000)
    .describe("how long a web process reuses an integration's settings for inbound webhooks (changes made in the same process apply at once; other instances see a change within this time)"),
  PG_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10).describe("node-postgres connections per process (webhook path, rate limits, outbox)"),
  WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90).describe("finished webhook events older than this are deleted nightly"),
  YOOKASSA_ALLOWED_IPS: z
    .string()
    .optional()
    .describe("comma-separated addresses and CIDR ranges YooKassa notifications may come from (a sandbox-mode integration also accepts its own sandbox's address, what `SANDBOX_URL`'s host resolves to; a live one never does)"),
  PAYMENT_STATUS_CHECK_SECONDS: z
    .coerce.number()
    .min(0.2)
    .max(3600)
    .default(10)
    .describe("an open payment the provider has said nothing about for this long is checked with the provider when someone reads it (the return page, an open payment page, `GET /api/v1/payments/{id}`): at most once per payment per wait"),
  PAYMENT_CAPTURE_SWEEP_SECONDS: z
    .coerce.number()
    .min(0.2)
    .max(3600)
    .default(60)
    .describe("how often the workers look for payments whose next step is ours (a PayPal order the payer approved, not captured: its webhook lost) and ask the provider"),
  PAYMENT_CAPTURE_GRACE_SECONDS: z
    .coerce.number()
    .min(0)
    .max(86_400)
    .default(120)
    .describe("an open payment of such a provider that nothing has moved for this long is asked about by the sweeper (and captured when approved): at most once per payment per grace period"),
  SUBSCRIPTION_RENEWAL_SECONDS: z
    .coerce.number()
    .min(0.2)
    .max(3600)
    .default(60)
    .describe("how often the workers charge the subscriptions Switchboard bills itself (YooKassa's saved payment methods) that are due, retry the failed ones whose wait is over, and end the provider-billed ones set to cancel at the end of a period that is over (by asking the provider)"),
  SUBSCRIPTION_RETRY_SCHEDULE: z
    .string()
    .trim()
    .regex(/^\d+[smhd](\s*,\s*\d+[smhd])*$/, "SUBSCRIPTION_RETRY_SCHEDULE is a comma-separated list of waits such as 1h,1d,3d (s, m, h or d)")
    .default("1h,1d,3d")
    .describe("after a failed renewal charge of such a subscription, the waits before each retry (`1h,1d,3d`: three retries). It is past due from the first failure and canceled when the last retry fails too"),
  PAYPAL_VERIFY_PER_MINUTE: z
    .coerce.number()
    .int()
    .min(1)
    .max(100_000)
    .default(60)
    .describe("calls to PayPal's verify-webhook-signature endpoint per integration per minute; deliveries past it get 429 and are kept as rejected, without a call (so forged deliveries cannot drive our outbound calls)"),

  // ── messaging (lib/messaging) ──
  MESSAGING_DEFAULT_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/, "a two-letter ISO country code such as RU")
    .optional()
    .describe("ISO country for phone numbers written without `+country` (e.g. `RU`); unset, `+` is required"),
  MESSAGE_MAX_ATTEMPTS_PER_PROVIDER: z.coerce.number().int().min(1).max(20).default(3).describe("attempts on one integration before the next of the channel takes over"),
  MESSAGE_RETRY_BASE_SECONDS: z.coerce.number().min(0.05).max(3600).default(5).describe("first backoff between attempts, doubling up to `MESSAGE_RETRY_MAX_SECONDS`"),
  MESSAGE_RETRY_MAX_SECONDS: z.coerce.number().min(0.1).max(86_400).default(300).describe("the backoff's cap (a provider's longer Retry-After falls back to the next integration at once)"),
  MESSAGE_SEND_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(30).describe("one provider call's limit (then it counts as a timeout)"),
  MESSAGE_LEASE_SECONDS: z.coerce.number().min(5).max(3600).default(120).describe("an attempt's hold on a message"),
  MESSAGE_DISPATCH_MS: z.coerce.number().int().min(20).max(60_000).default(200).describe("how often workers give queued messages jobs"),
  MESSAGE_JOB_SIZE: z.coerce.number().int().min(1).max(1000).default(50).describe("messages per job (bulk sends)"),
  MESSAGE_PARALLEL: z.coerce.number().int().min(1).max(1000).default(64).describe("sends in flight per worker process (shared by its jobs)"),
  MESSAGE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4).describe("message jobs one worker holds at once"),
  MESSAGE_STATUS_POLL_SECONDS: z.coerce.number().min(0.2).max(3600).default(30).describe("how often providers without callbacks (SMS.ru) are asked about sent messages"),
  MESSAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(180).describe("finished messages older than this are deleted nightly"),
  OTP_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(300).describe("how long a one-time code sent by SMS is valid"),
  OTP_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5).describe("guesses allowed per one-time code"),
  OTP_PER_HOUR: z.coerce.number().int().min(1).max(100).default(5).describe("one-time codes sent to one number per hour"),

  // ── GPS tracking and the map (lib/tracking) ──
  GPS_TRACKING_ENABLED: bool.default(true).describe("`false`: the ingest API refuses positions (the map still shows what is stored)"),
  GPS_STORE_HISTORY_DAYS: z.coerce.number().int().min(1).max(3650).default(90).describe("positions older than this are deleted nightly (in batches)"),
  GPS_MAX_FUTURE_SKEW_SECONDS: z.coerce.number().int().min(0).max(86_400).default(120).describe("how far ahead of the server a device clock may be"),
  GPS_OFFLINE_AFTER_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300).describe("a driver whose latest position is older is offline"),
  GPS_MOVING_SPEED_KMH: z.coerce.number().min(0).max(100).default(3).describe("at or above this speed a driver is moving; below, stopped"),
  // read by scripts/start.ts, which runs the simulator unless this is "false"
  GPS_SIMULATOR: bool.default(true).describe("the demo drivers' simulator in `npm start` (runs with the demo data; `false` turns it off)"),
  GPS_SIMULATOR_INTERVAL_SECONDS: z.coerce.number().min(0.2).max(600).default(3).describe("seconds between the simulator's posts per driver"),
  MAP_TILE_URL: z
    .string()
    .default("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    .describe("the map's tiles (`{z}/{x}/{y}`); empty: none (the map still shows drivers and routes). Mind OpenStreetMap's tile usage policy and set your own server for real traffic"),
  MAP_TILE_ATTRIBUTION: z.string().default("&copy; OpenStreetMap contributors").describe("the attribution shown with the tiles"),
  MAP_CENTER: z
    .string()
    .regex(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/, "MAP_CENTER is \"lat,lng\"")
    .default("55.7558,37.6173")
    .describe("where the map opens before any driver reported (`lat,lng`)"),
  MAP_ZOOM: z.coerce.number().int().min(1).max(19).default(11).describe("the map's zoom before any driver reported"),

  // ── exports (lib/exports) ──
  EXPORT_DIR: z.string().optional().describe("where export files are written (shared storage with several machines)"),
  EXPORT_MAX_ROWS: z.coerce.number().int().min(1).default(1_000_000).describe("the most rows an export may hold (PDF: 20,000); more is refused with a clear error"),
  EXPORT_INLINE_ROWS: z.coerce.number().int().min(0).default(5_000).describe("up to how many rows an export is answered at once with the file (more run as a job)"),
  EXPORT_TTL_HOURS: z.coerce.number().min(0.01).max(24 * 365).default(72).describe("how long an export's file stays downloadable"),
  EXPORT_CSV_DELIMITER: z
    .enum([";", ",", "\t", "|"])
    .default(";")
    .describe("the CSV delimiter when a request names none (`;` opens in Excel with RU/EU locales; `,` elsewhere)"),

  // ── SuiteDash (lib/suitedash) ──
  CONTACT_SUBMISSIONS_PER_HOUR: z.coerce.number().int().min(1).default(20).describe("contact form submissions accepted per client address per hour"),
  SUITEDASH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6).describe("sync attempts per submission before it stays failed (retry by hand)"),
  SUITEDASH_DISPATCH_MS: z.coerce.number().int().min(50).max(600_000).default(2000).describe("how often workers look for submissions to sync"),

  // ── OAuth (lib/oauth) ──
  OAUTH_REFRESH_BEFORE_SECONDS: z.coerce.number().int().min(10).max(24 * 3600).default(300).describe("an OAuth access token is refreshed when it expires within this"),
  OAUTH_REFRESH_EVERY_HOURS: z.coerce.number().min(0.01).max(24 * 30).default(24).describe("grants are refreshed at least this often, even unused"),
  OAUTH_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60).describe("how often workers refresh tokens and renew push channels and subscriptions"),

  // ── 1C ERP (lib/erp) ──
  ERP_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6).describe("1C sync attempts per entity before it stays failed (retry by hand)"),

  // ── alerts (lib/alerts) ──
  ALERTS_EVALUATE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30).describe("how often workers evaluate the alert rules"),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  cached = parsed.data;
  return cached;
}

/** Tests change the environment between cases. */
export function resetEnvCache() {
  cached = undefined;
}
