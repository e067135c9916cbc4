#!/usr/bin/env node
// `npm start`: the whole product with no configuration. Installs what is missing, builds if
// the source changed, then hands over to scripts/start.ts (database, migrations, first admin,
// demo data, sandboxes, workers, web). `npm run dev` does the same with `next dev`.
import { spawn } from "node:child_process";
import path from "node:path";

const dev = process.argv.includes("--dev");
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, "..");

// prepare.mjs only needs Node's own modules, so it runs before anything is installed
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
