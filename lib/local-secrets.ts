// Zero-config secrets kept under ./.data (mode 0600), created once: the embedded database's
// password and the session-signing secret (secrets.json), the sandboxes' signing keys
// (sandbox-keys.json, lib/sandbox/keys.ts). Configured deployments pass env vars instead.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export type LocalSecrets = { dbPassword: string; nextauthSecret: string };

export function ensureLocalSecrets(dataDir: string): LocalSecrets {
  return ensurePrivateJsonFile(
    path.resolve(dataDir, "secrets.json"),
    () => ({ dbPassword: randomBytes(18).toString("base64url"), nextauthSecret: randomBytes(32).toString("base64url") }),
    (v) => v as LocalSecrets,
  );
}

/**
 * A JSON file of generated secrets: read if it exists, otherwise made once with `make()`,
 * readable by this user only (0600 whatever the umask). Two processes starting at once end
 * up with the same values: the file appears whole (written aside, then linked into place,
 * which fails if another process got there first) and the loser reads the winner's.
 */
export function ensurePrivateJsonFile<T>(file: string, make: () => T, parse: (v: unknown) => T): T {
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    writeFileSync(tmp, JSON.stringify(make(), null, 2), { mode: 0o600, flag: "wx" });
    chmodSync(tmp, 0o600);
    try {
      linkSync(tmp, file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // a file system without hard links: the plain rename (the old way)
      if (code === "EPERM" || code === "ENOTSUP" || code === "ENOSYS") {
        if (!existsSync(file)) renameSync(tmp, file);
      } else if (code !== "EEXIST") throw e;
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  return parse(JSON.parse(readFileSync(file, "utf8")));
}
