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
