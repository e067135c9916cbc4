#!/usr/bin/env node
// `npm start`: the whole product with no configuration. Installs what is missing, builds if
// the source changed, then hands over to scripts/start.ts (database, migrations, first admin,
// demo data, sandboxes, workers, web). `npm run dev` does the same with `next dev`.
import { spawn } from "node:child_process";
import path from "node:path";
import { existsSync } from "node:fs";

const dev = process.argv.includes("--dev");
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "..");

if (!existsSync(path.join(root, "node_modules", "tsx"))) {
  const { spawnSync } = await import("node:child_process");
  console.log("• installing dependencies (npm ci)…");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { stdio: "inherit", cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const { prepare } = await import("./lib/prepare.mjs");
prepare({ build: !dev });

const child = spawn(
  process.execPath,
  [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), path.join(root, "scripts", "start.ts"), ...process.argv.slice(2)],
  { stdio: "inherit", cwd: root, env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } },
);
// the orchestrator handles Ctrl-C itself (it gets the signal from the terminal too)
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => {});
child.on("exit", (code) => process.exit(code ?? 0));
