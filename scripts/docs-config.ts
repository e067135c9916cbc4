// Writes docs/configuration.md from the schema in lib/env.ts: every variable with its default,
// what it accepts and its description (the field's `.describe()`), then the few variables read
// outside lib/env.ts (EXTRA_VARIABLES below). Run after changing a variable:
//   npm run docs:config
// lib/env-docs.test.ts fails when docs/configuration.md differs from what this produces.
// The output depends only on the schema and the tables here (no dates, no machine paths).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import { envSchema } from "@/lib/env";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const CONFIG_DOC = "docs/configuration.md";

/**
 * Defaults that are not the schema's: set by `npm start` (scripts/start.ts) or where the value
 * is read. Shown instead of the schema's default (or instead of "required" / "none").
 */
const DEFAULTS_SET_ELSEWHERE: Record<string, string> = {
  // Next.js sets it: `next start` production, `next dev` development
  NODE_ENV: "`production` with `npm start`, `development` with `npm run dev`",
  // scripts/start.ts starts embedded PostgreSQL when DATABASE_URL is unset
  DATABASE_URL: "embedded PostgreSQL in `./.data/pg`",
  // scripts/start.ts: ensureKeyringFile(DATA_DIR/keyring.json)
  SWITCHBOARD_ENCRYPTION_KEYS: "a key ring generated once in `./.data/keyring.json`",
  // scripts/start.ts: ensureLocalSecrets(DATA_DIR)
  NEXTAUTH_SECRET: "generated once in `./.data/secrets.json`",
  // scripts/start.ts
  NEXTAUTH_URL: "`http://localhost:$PORT`",
  // lib/urls.ts (the Settings page's public base URL, when set, comes first)
  PUBLIC_BASE_URL: "`NEXTAUTH_URL`",
  // lib/providers/yookassa/verify.ts
  YOOKASSA_ALLOWED_IPS: "YooKassa's published ranges",
  // lib/exports
  EXPORT_DIR: "`DATA_DIR/exports`",
};

type Extra = { name: string; default: string; accepts: string; description: string; readIn: string };

/**
 * Variables read with process.env outside lib/env.ts (start scripts, the test runner's browser,
 * modules that must not import the schema). Internal ones that `npm start` passes to its own
 * children (DB_DIR, DB_PASSWORD, SIM_*, SWITCHBOARD_PROCESS) and the benchmarks' BENCH_*
 * knobs are not listed.
 */
export const EXTRA_VARIABLES: Extra[] = [
  {
    name: "PORT",
    default: "`3000`",
    accepts: "a port number",
    description: "where the web server listens (`npm run sandbox`: the sandbox's port, default `4010`)",
    readIn: "scripts/server.ts, scripts/start.ts, scripts/sandbox.ts",
  },
  {
    name: "HOST",
    default: "`127.0.0.1`",
    accepts: "an address",
    description: "the address the web server listens on (`HOST=0.0.0.0` behind a proxy or in a container)",
    readIn: "scripts/server.ts, scripts/sandbox.ts",
  },
  {
    name: "SANDBOX_PORT",
    default: "`4010`",
    accepts: "a port number",
    description: "where `npm start` runs the provider sandboxes (and sets `SANDBOX_URL` to match)",
    readIn: "scripts/start.ts",
  },
  {
    name: "SANDBOX_KEYS_FILE",
    default: "`DATA_DIR/sandbox-keys.json`, generated once (0600)",
    accepts: "a file path",
    description:
      "the keys the sandboxes sign with (SendGrid's Event Webhook ECDSA pair); the sandbox and the demo seed read the same file. Nothing is committed: every install has its own ([security.md](security.md#sandbox-signing-keys))",
    readIn: "lib/sandbox/keys.ts, scripts/start.ts, scripts/sandbox.ts",
  },
  {
    name: "SEED_DEMO",
    default: "`true`",
    accepts: "`false` turns it off",
    description: "load the demo data on an empty database",
    readIn: "scripts/start.ts",
  },
  {
    name: "SWITCHBOARD_ADMIN_EMAIL",
    default: "`admin@switchboard.local`",
    accepts: "an e-mail address",
    description: "the first admin's e-mail (the default is easy to guess: set your own before the first start)",
    readIn: "lib/runtime/bootstrap.ts",
  },
  {
    name: "DB_POOL_MAX",
    default: "`10`",
    accepts: "a number",
    description: "Prisma's connections per process",
    readIn: "lib/db.ts",
  },
  {
    name: "CHROMIUM_PATH",
    default: "`/usr/bin/chromium`",
    accepts: "a file path",
    description: "the browser the e2e tests drive",
    readIn: "playwright.config.ts",
  },
];

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** A table cell: one line, pipes escaped (also inside code spans, as GitHub's tables need). */
function cell(text: string) {
  return text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|");
}

function code(value: string) {
  if (value === "") return "empty";
  if (value === "\t") return "a tab";
  return value.includes("`") ? `\`\` ${value} \`\`` : `\`${value}\``;
}

function range(min: number | null | undefined, max: number | null | undefined) {
  const lo = typeof min === "number" && Number.isFinite(min) && Math.abs(min) < Number.MAX_SAFE_INTEGER ? min : null;
  const hi = typeof max === "number" && Number.isFinite(max) && Math.abs(max) < Number.MAX_SAFE_INTEGER ? max : null;
  if (lo !== null && hi !== null) return ` ${lo}–${hi}`;
  if (lo !== null) return ` ≥ ${lo}`;
  if (hi !== null) return ` ≤ ${hi}`;
  return "";
}

/** What a field takes, from its zod type. */
function accepts(schema: z.ZodType): string {
  const def = defOf(schema);
  switch (def.type) {
    case "default":
    case "optional":
      return accepts(def.innerType as z.ZodType);
    case "pipe": {
      const input = defOf(def.in as z.ZodType);
      const options = (def.in as { options?: unknown[] }).options ?? [];
      if (input.type === "enum" && options.includes("true") && options.includes("false")) {
        return "`true` or `false` (also `1`/`0`, `yes`/`no`)";
      }
      return accepts(def.in as z.ZodType);
    }
    case "enum":
      return (schema as unknown as { options: string[] }).options.map(code).join(", ");
    case "number": {
      const n = schema as unknown as { minValue: number | null; maxValue: number | null; isInt: boolean };
      return `${n.isInt ? "an integer" : "a number"}${range(n.minValue, n.maxValue)}`;
    }
    case "string": {
      const s = schema as unknown as { format: string | null; minLength: number | null };
      if (s.format === "url") return "a URL";
      return s.minLength && s.minLength > 1 ? `text, at least ${s.minLength} characters` : "text";
    }
    default:
      throw new Error(`docs-config: no description of a zod ${def.type}`);
  }
}

function shownDefault(name: string, schema: z.ZodType): string {
  const elsewhere = DEFAULTS_SET_ELSEWHERE[name];
  if (elsewhere) return elsewhere;
  const def = defOf(schema);
  if (def.type === "default") {
    const value = def.defaultValue as unknown;
    return code(typeof value === "string" ? value : String(value));
  }
  if (def.type === "optional") return "none";
  return "required";
}

export function renderConfigurationDoc(): string {
  const shape = envSchema.shape as Record<string, z.ZodType>;
  const names = Object.keys(shape);
  for (const name of Object.keys(DEFAULTS_SET_ELSEWHERE)) {
    if (!names.includes(name)) throw new Error(`docs-config: DEFAULTS_SET_ELSEWHERE names ${name}, which lib/env.ts does not have`);
  }
  for (const extra of EXTRA_VARIABLES) {
    if (names.includes(extra.name)) throw new Error(`docs-config: ${extra.name} is in lib/env.ts: remove it from EXTRA_VARIABLES`);
  }

  const rows = names.map((name) => {
    const field = shape[name];
    const description = field.description;
    if (!description) throw new Error(`docs-config: ${name} in lib/env.ts has no .describe("…")`);
    return `| \`${name}\` | ${cell(shownDefault(name, field))} | ${cell(accepts(field))} | ${cell(description)} |`;
  });
  const extraRows = EXTRA_VARIABLES.map(
    (v) => `| \`${v.name}\` | ${cell(v.default)} | ${cell(v.accepts)} | ${cell(v.description)} | ${cell(v.readIn)} |`,
  );

  return [
    "# Configuration",
    "",
    "<!-- Generated from lib/env.ts by scripts/docs-config.ts: do not edit. Change a variable's",
    "     .describe() text in lib/env.ts (or the tables in the script) and run `npm run docs:config`;",
    "     lib/env-docs.test.ts fails when this file is out of date. -->",
    "",
    "Nothing is required for `npm start`: every variable has a default, or `npm start` makes one.",
    "Every process reads its environment once, through the zod schema in `lib/env.ts`; a value it",
    "does not accept is an error naming the variable. Retention periods and the public base URL can",
    "also be set on the Settings page ([areas/operating-it.md](areas/operating-it.md#settings)),",
    "which overrides the variable.",
    "",
    "| Variable | Default | Accepts | Meaning |",
    "|---|---|---|---|",
    ...rows,
    "",
    "## Read outside lib/env.ts",
    "",
    "The start scripts, the database client and the browser tests read these directly.",
    "",
    "| Variable | Default | Accepts | Meaning | Read in |",
    "|---|---|---|---|---|",
    ...extraRows,
    "",
  ].join("\n");
}

const invoked = process.argv[1] ? path.resolve(process.argv[1]) : "";
if (invoked === fileURLToPath(import.meta.url)) {
  writeFileSync(path.join(root, CONFIG_DOC), renderConfigurationDoc());
  console.log(`${CONFIG_DOC}: ${Object.keys(envSchema.shape).length + EXTRA_VARIABLES.length} variables`);
}
