// Zero-config secrets kept under ./.data (mode 0600), created once: the embedded database's
// password and the session-signing secret. Configured deployments pass env vars instead.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export type LocalSecrets = { dbPassword: string; nextauthSecret: string };

export function ensureLocalSecrets(dataDir: string): LocalSecrets {
  const file = path.resolve(dataDir, "secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as LocalSecrets;
  mkdirSync(dataDir, { recursive: true });
  const s: LocalSecrets = {
    dbPassword: randomBytes(18).toString("base64url"),
    nextauthSecret: randomBytes(32).toString("base64url"),
  };
  writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  return s;
}
