// npm run keys:rotate [-- --generate] [-- --prune]
//
// Re-encrypts every stored secret with the newest key of the ring.
//  - With SWITCHBOARD_ENCRYPTION_KEYS: put the new key first in the variable, run this, then
//    restart the app with the new ring; once this reports nothing uses an old key, remove it.
//  - Zero-config (./.data/keyring.json): --generate adds a new key first; the running app
//    picks the file change up by itself. --prune drops keys no secret uses any more.
import { keyRing, generateKey, keyringFile, readKeyringFile, writeKeyringFile, type VaultKey } from "@/lib/vault";
import { rotateAll, keyUsage } from "@/lib/vault-rotate";
import { withDatabase } from "@/lib/runtime/local-db";
import { existsSync } from "node:fs";

const args = new Set(process.argv.slice(2));
const fromEnv = !!process.env.SWITCHBOARD_ENCRYPTION_KEYS;

if (args.has("--generate")) {
  if (fromEnv) {
    const k = generateKey();
    console.log("The key ring comes from SWITCHBOARD_ENCRYPTION_KEYS. Put this new key first in it, then run keys:rotate again:");
    console.log(`  ${k.id}:${k.key.toString("base64")}`);
    process.exit(0);
  }
  const file = keyringFile();
  const current: VaultKey[] = existsSync(file) ? readKeyringFile(file) : [];
  const k = generateKey();
  writeKeyringFile([k, ...current], file);
  console.log(`added key ${k.id} to ${file}`);
}

const ring = keyRing();
await withDatabase(async (url) => {
  const report = await rotateAll(url, ring);
  console.log(`re-encrypted ${report.reencrypted} secret(s) with key ${ring[0].id}`);
  for (const [col, n] of Object.entries(report.byColumn)) if (n) console.log(`  ${col}: ${n}`);
  const usage = await keyUsage(url);
  const unused = ring.filter((k) => !usage[k.id] && k.id !== ring[0].id);
  console.log(`keys in use: ${Object.entries(usage).map(([k, n]) => `${k} (${n})`).join(", ") || "none"}`);
  if (args.has("--prune") && !fromEnv && unused.length) {
    writeKeyringFile(ring.filter((k) => !unused.includes(k)), keyringFile());
    console.log(`removed unused key(s): ${unused.map((k) => k.id).join(", ")}`);
  } else if (unused.length) {
    console.log(`no secret uses ${unused.map((k) => k.id).join(", ")} any more: ${fromEnv ? "remove it from SWITCHBOARD_ENCRYPTION_KEYS" : "run with --prune to drop it"}`);
  }
});
