// Every environment variable Switchboard reads, validated once. The README's configuration
// reference lists the same names.
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().min(1, "DATABASE_URL is required (npm start sets it for the embedded database)"),
  /** key ring, newest first: "<id>:<base64 32 bytes>,<id>:<base64 32 bytes>" */
  SWITCHBOARD_ENCRYPTION_KEYS: z.string().optional(),
  /** where the zero-config start keeps its database, key ring and exports */
  DATA_DIR: z.string().default(".data"),
  NEXTAUTH_SECRET: z.string().min(16).optional(),
  NEXTAUTH_URL: z.string().url().optional(),
  /** the URL providers and browsers reach this instance at (webhook URLs shown to admins) */
  PUBLIC_BASE_URL: z.string().url().optional(),
  /** the local provider emulators (npm start and the tests run them) */
  SANDBOX_URL: z.string().url().default("http://127.0.0.1:4010"),
  /**
   * Outbound calls (lib/net-guard.ts) never reach link-local/metadata addresses, reach loopback
   * only for the sandbox (SANDBOX_URL's host and port), and private ranges only for providers on
   * the customer's network (1C, SMTP, custom webhooks). Hosts named here (comma-separated "host"
   * or "host:port", names or addresses, e.g. "erp.lan,10.0.0.5:8080,127.0.0.1:9000") may be
   * reached on loopback and private addresses by every provider.
   */
  ALLOWED_PRIVATE_HOSTS: z
    .string()
    .regex(/^\s*(\[[0-9a-fA-F:.]+\](:\d{1,5})?|[0-9a-fA-F:]*:[0-9a-fA-F:.]*|[A-Za-z0-9._-]+(:\d{1,5})?)?\s*(,\s*(\[[0-9a-fA-F:.]+\](:\d{1,5})?|[0-9a-fA-F:]*:[0-9a-fA-F:.]*|[A-Za-z0-9._-]+(:\d{1,5})?)?\s*)*$/, "ALLOWED_PRIVATE_HOSTS is a comma-separated list of host or host:port")
    .optional(),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  HTTP_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  API_KEY_DEFAULT_RATE_LIMIT: z.coerce.number().int().min(1).default(120),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  LOGIN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  /** how often idle workers look for new jobs */
  WORKER_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
  /** run the job workers inside the web process (single-machine default) */
  WORKERS_IN_WEB: bool.default(false),
  TRUST_PROXY: bool.default(false),
  /** with TRUST_PROXY: how many proxies of ours append to X-Forwarded-For (the client is that many entries from the right) */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(1).max(20).default(1),

  // ── webhook inbox (lib/webhooks) ──
  WEBHOOK_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1_048_576).default(1_048_576),
  /** automatic retries after the first attempt, for events received from now on */
  WEBHOOK_MAX_RETRIES: z.coerce.number().int().min(0).max(50).default(5),
  /** first retry delay; each next one doubles (with jitter) up to WEBHOOK_RETRY_MAX_SECONDS */
  WEBHOOK_RETRY_BASE_SECONDS: z.coerce.number().min(0.1).max(86_400).default(30),
  WEBHOOK_RETRY_MAX_SECONDS: z.coerce.number().min(1).max(7 * 86_400).default(6 * 3600),
  /** how long one processing attempt may hold an event before another worker takes it over */
  WEBHOOK_LEASE_SECONDS: z.coerce.number().min(1).max(3600).default(120),
  /** a handler running longer is aborted (keep it below the lease) */
  WEBHOOK_HANDLER_TIMEOUT_SECONDS: z.coerce.number().min(0.5).max(3600).default(60),
  /** how often each worker turns newly received events into queue jobs */
  WEBHOOK_DISPATCH_MS: z.coerce.number().int().min(20).max(60_000).default(200),
  /** how often each worker looks for events whose job or worker was lost */
  WEBHOOK_SWEEP_SECONDS: z.coerce.number().min(0.2).max(3600).default(15),
  /** after a webhook secret changes, the previous one is still accepted this long */
  WEBHOOK_SECRET_GRACE_HOURS: z.coerce.number().min(0).max(24 * 30).default(24),
  /** signed timestamps older (or further in the future) than this are refused */
  WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  /** rejected deliveries recorded per integration per minute (the rest are answered, not stored) */
  WEBHOOK_REJECTED_PER_MINUTE: z.coerce.number().int().min(0).default(60),
  /** webhook attempts one worker runs at once */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** how long a web process reuses an integration's settings for inbound webhooks (changes made
   *  in the same process apply at once; other instances see them within this time) */
  WEBHOOK_CONFIG_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** connections of each process's node-postgres pool (webhook hot path, rate limiter) */
  PG_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** comma-separated addresses / CIDR ranges YooKassa notifications may come from */
  YOOKASSA_ALLOWED_IPS: z.string().optional(),
  /** an open payment the provider has said nothing about for this long is checked with the
   *  provider when someone reads it (the return page, an open payment page): at most once per wait */
  PAYMENT_STATUS_CHECK_SECONDS: z.coerce.number().min(0.2).max(3600).default(10),
  /** calls to PayPal's verify-webhook-signature endpoint per integration per minute: deliveries
   *  past it are refused (429, kept as rejected) without calling out, so forged deliveries cannot
   *  drive our outbound calls (and PayPal's rate limit on our app) */
  PAYPAL_VERIFY_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(60),

  // ── messaging (lib/messaging) ──
  /** ISO country for phone numbers written without +country (e.g. RU); unset: + is required */
  MESSAGING_DEFAULT_COUNTRY: z
    .string()
    .regex(/^[A-Z]{2}$/, "a two-letter ISO country code such as RU")
    .optional(),
  /** attempts on one integration before the next one of the channel is tried */
  MESSAGE_MAX_ATTEMPTS_PER_PROVIDER: z.coerce.number().int().min(1).max(20).default(3),
  MESSAGE_RETRY_BASE_SECONDS: z.coerce.number().min(0.05).max(3600).default(5),
  MESSAGE_RETRY_MAX_SECONDS: z.coerce.number().min(0.1).max(86_400).default(300),
  /** one provider call may take this long before it counts as a timeout */
  MESSAGE_SEND_TIMEOUT_SECONDS: z.coerce.number().min(1).max(600).default(30),
  MESSAGE_LEASE_SECONDS: z.coerce.number().min(5).max(3600).default(120),
  /** how often each worker turns queued messages into queue jobs */
  MESSAGE_DISPATCH_MS: z.coerce.number().int().min(20).max(60_000).default(200),
  /** messages per queue job (bulk sends) */
  MESSAGE_JOB_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
  /** sends in flight per worker process (shared by its jobs) */
  MESSAGE_PARALLEL: z.coerce.number().int().min(1).max(1000).default(64),
  /** message jobs one worker runs at once */
  MESSAGE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** how often providers without delivery callbacks (SMS.ru) are asked about sent messages */
  MESSAGE_STATUS_POLL_SECONDS: z.coerce.number().min(0.2).max(3600).default(30),
  MESSAGE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
  OTP_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(300),
  OTP_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  /** codes sent to one number per hour */
  OTP_PER_HOUR: z.coerce.number().int().min(1).max(100).default(5),

  // ── GPS tracking and the map (lib/tracking) ──
  /** false: the ingest API refuses positions (the map still shows what is stored) */
  GPS_TRACKING_ENABLED: bool.default(true),
  /** positions older than this are deleted by the daily retention job */
  GPS_STORE_HISTORY_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** how far in the future a device clock may be before its positions are refused */
  GPS_MAX_FUTURE_SKEW_SECONDS: z.coerce.number().int().min(0).max(86_400).default(120),
  /** a driver not heard from for this long shows as offline */
  GPS_OFFLINE_AFTER_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  /** above this speed a driver is moving; below, stopped */
  GPS_MOVING_SPEED_KMH: z.coerce.number().min(0).max(100).default(3),
  /** the zero-config start moves the demo drivers through the ingest API */
  GPS_SIMULATOR: bool.default(false),
  /** seconds between the simulator's posts per driver */
  GPS_SIMULATOR_INTERVAL_SECONDS: z.coerce.number().min(0.2).max(600).default(3),
  /** map tiles ({z}/{x}/{y}); empty: no tile layer (the map still shows drivers and routes) */
  MAP_TILE_URL: z.string().default("https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
  MAP_TILE_ATTRIBUTION: z.string().default("&copy; OpenStreetMap contributors"),
  /** where the map opens before any driver has reported: "lat,lng" */
  MAP_CENTER: z
    .string()
    .regex(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/, "MAP_CENTER is \"lat,lng\"")
    .default("55.7558,37.6173"),
  MAP_ZOOM: z.coerce.number().int().min(1).max(19).default(11),

  // ── exports (lib/exports) ──
  /** where export files are written (default: DATA_DIR/exports) */
  EXPORT_DIR: z.string().optional(),
  /** an export with more rows is refused with a clear error */
  EXPORT_MAX_ROWS: z.coerce.number().int().min(1).default(1_000_000),
  /** exports up to this many rows are answered at once with the file; larger ones run as a job */
  EXPORT_INLINE_ROWS: z.coerce.number().int().min(0).default(5_000),
  /** how long an export file stays downloadable (hours) */
  EXPORT_TTL_HOURS: z.coerce.number().min(0.01).max(24 * 365).default(72),
  /** the CSV delimiter (";" opens in Excel with RU/EU locales; "," elsewhere) */
  EXPORT_CSV_DELIMITER: z.enum([";", ",", "\t", "|"]).default(";"),

  // ── SuiteDash (lib/suitedash) ──
  /** contact form submissions accepted per client address per hour */
  CONTACT_SUBMISSIONS_PER_HOUR: z.coerce.number().int().min(1).default(20),
  /** sync attempts per submission before it stays failed (retry by hand) */
  SUITEDASH_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
  /** how often workers look for submissions to sync */
  SUITEDASH_DISPATCH_MS: z.coerce.number().int().min(50).max(600_000).default(2000),

  // ── OAuth (lib/oauth) ──
  /** an access token is refreshed when it expires within this many seconds */
  OAUTH_REFRESH_BEFORE_SECONDS: z.coerce.number().int().min(10).max(24 * 3600).default(300),
  /** refresh tokens are exercised at least this often, even when unused (hours) */
  OAUTH_REFRESH_EVERY_HOURS: z.coerce.number().min(0.01).max(24 * 30).default(24),
  /** how often workers look for tokens, push channels and subscriptions to renew */
  OAUTH_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),

  // ── 1C ERP (lib/erp) ──
  /** sync attempts per entity before it stays failed (retry by hand) */
  ERP_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),

  // ── alerts (lib/alerts) ──
  /** how often workers evaluate the alert rules */
  ALERTS_EVALUATE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
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
