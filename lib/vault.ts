// Credential vault: AES-256-GCM envelopes that name their key, a key ring (newest first)
// from SWITCHBOARD_ENCRYPTION_KEYS or, in the zero-config default, from
// <DATA_DIR>/keyring.json. Every envelope is bound to the row and field it belongs to
// (additional authenticated data), so a ciphertext copied into another row does not decrypt.
// `npm run keys:rotate` re-encrypts every secret with the newest key (scripts/keys-rotate.ts).
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync, renameSync } from "node:fs";
import path from "node:path";

export type VaultKey = { id: string; key: Buffer };

const PREFIX = "sbv1";
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export class VaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VaultError";
  }
}

export function parseKeyRing(spec: string): VaultKey[] {
  const keys = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const i = entry.indexOf(":");
      if (i < 1) throw new VaultError("SWITCHBOARD_ENCRYPTION_KEYS entries must look like <id>:<base64 key>");
      const id = entry.slice(0, i);
      if (!KEY_ID.test(id)) throw new VaultError(`Encryption key id "${id}" may only contain letters, digits, _ and -`);
      const key = Buffer.from(entry.slice(i + 1), "base64");
      if (key.length !== 32) throw new VaultError(`Encryption key "${id}" must be 32 bytes (base64), got ${key.length}`);
      return { id, key };
    });
  if (keys.length === 0) throw new VaultError("The encryption key ring is empty");
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new VaultError("Encryption key ids must be unique");
  return keys;
}

export function formatKeyRing(keys: VaultKey[]): string {
  return keys.map((k) => `${k.id}:${k.key.toString("base64")}`).join(",");
}

export function generateKey(): VaultKey {
  const stamp = new Date().toISOString().slice(0, 10).replace(/-/g, "");
  return { id: `k${stamp}${randomBytes(3).toString("hex")}`, key: randomBytes(32) };
}

export function keyringFile(dataDir = process.env.DATA_DIR ?? ".data") {
  return path.resolve(dataDir, "keyring.json");
}

/** Zero-config: create the key ring file once (mode 0600). Returns the ring. */
export function ensureKeyringFile(file = keyringFile()): VaultKey[] {
  if (!existsSync(/*turbopackIgnore: true*/ file)) writeKeyringFile([generateKey()], file);
  return readKeyringFile(file);
}

export function readKeyringFile(file = keyringFile()): VaultKey[] {
  const data = JSON.parse(readFileSync(/*turbopackIgnore: true*/ file, "utf8")) as { keys: { id: string; key: string }[] };
  return parseKeyRing(data.keys.map((k) => `${k.id}:${k.key}`).join(","));
}

export function writeKeyringFile(keys: VaultKey[], file = keyringFile()) {
  mkdirSync(/*turbopackIgnore: true*/ path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(/*turbopackIgnore: true*/ tmp, JSON.stringify({ keys: keys.map((k) => ({ id: k.id, key: k.key.toString("base64") })) }, null, 2), {
    mode: 0o600,
  });
  renameSync(/*turbopackIgnore: true*/ tmp, file);
}

let fileCache: { file: string; mtimeMs: number; keys: VaultKey[] } | undefined;
let envCache: { spec: string; keys: VaultKey[] } | undefined;

/** The current key ring, newest first. The file is re-read when it changes (live rotation). */
export function keyRing(): VaultKey[] {
  const spec = process.env.SWITCHBOARD_ENCRYPTION_KEYS;
  if (spec) {
    if (envCache?.spec !== spec) envCache = { spec, keys: parseKeyRing(spec) };
    return envCache.keys;
  }
  const file = keyringFile();
  if (!existsSync(/*turbopackIgnore: true*/ file)) {
    throw new VaultError(
      "No encryption keys: set SWITCHBOARD_ENCRYPTION_KEYS, or start with `npm start`, which creates a key ring under ./.data",
    );
  }
  const mtimeMs = statSync(/*turbopackIgnore: true*/ file).mtimeMs;
  if (fileCache?.file !== file || fileCache.mtimeMs !== mtimeMs) fileCache = { file, mtimeMs, keys: readKeyringFile(file) };
  return fileCache.keys;
}

const b64 = (b: Buffer) => b.toString("base64url");

export function encrypt(plaintext: string, aad: string, ring = keyRing()): string {
  const { id, key } = ring[0];
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(aad, "utf8"));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [PREFIX, id, b64(iv), b64(cipher.getAuthTag()), b64(ct)].join(":");
}

export function envelopeKeyId(envelope: string): string | undefined {
  const parts = envelope.split(":");
  return parts.length === 5 && parts[0] === PREFIX ? parts[1] : undefined;
}

export function decrypt(envelope: string, aad: string, ring = keyRing()): string {
  const parts = envelope.split(":");
  if (parts.length !== 5 || parts[0] !== PREFIX) throw new VaultError("Not a vault envelope");
  const [, id, iv, tag, ct] = parts;
  const k = ring.find((x) => x.id === id);
  if (!k) {
    throw new VaultError(
      `Encryption key "${id}" is not in this process's key ring: restart it with the current SWITCHBOARD_ENCRYPTION_KEYS, ` +
        `or put the key back if it was removed before keys:rotate re-encrypted its secrets`,
    );
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", k.key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(aad, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new VaultError("A secret failed authentication: wrong key, or the value was tampered with or moved");
  }
}

export function encryptJson(value: unknown, aad: string, ring?: VaultKey[]): string {
  return encrypt(JSON.stringify(value), aad, ring);
}

export function decryptJson<T = unknown>(envelope: string, aad: string, ring?: VaultKey[]): T {
  return JSON.parse(decrypt(envelope, aad, ring)) as T;
}

/** What the UI may show of a secret: that it is set, and its last characters when long enough. */
export function mask(value: string | null | undefined): string | null {
  if (value == null || value === "") return null;
  if (value.length < 12) return "••••••••";
  return `••••••••${value.slice(-4)}`;
}

/**
 * Every encrypted column, with the additional authenticated data of a row. keys:rotate
 * walks this list; a new encrypted column must be added here.
 */
export const ENCRYPTED_COLUMNS = [
  { table: "integrations", column: "credentials", aad: (id: string) => `integrations.credentials:${id}` },
  { table: "integrations", column: "webhook_secret", aad: (id: string) => `integrations.webhook_secret:${id}` },
  { table: "oauth_tokens", column: "access_token", aad: (id: string) => `oauth_tokens.access_token:${id}` },
  { table: "oauth_tokens", column: "refresh_token", aad: (id: string) => `oauth_tokens.refresh_token:${id}` },
  { table: "oauth_states", column: "code_verifier", aad: (id: string) => `oauth_states.code_verifier:${id}` },
  { table: "calendar_channels", column: "token", aad: (id: string) => `calendar_channels.token:${id}` },
  { table: "meetings", column: "start_url", aad: (id: string) => `meetings.start_url:${id}` },
  { table: "meetings", column: "password", aad: (id: string) => `meetings.password:${id}` },
  { table: "messages", column: "sealed", aad: (id: string) => `messages.sealed:${id}` },
  { table: "idempotency_keys", column: "response", aad: (id: string) => `idempotency_keys.response:${id}` },
] as const;

export const aadFor = {
  integrationCredentials: (id: string) => ENCRYPTED_COLUMNS[0].aad(id),
  integrationWebhookSecret: (id: string) => ENCRYPTED_COLUMNS[1].aad(id),
  oauthAccessToken: (id: string) => ENCRYPTED_COLUMNS[2].aad(id),
  oauthRefreshToken: (id: string) => ENCRYPTED_COLUMNS[3].aad(id),
  oauthCodeVerifier: (id: string) => ENCRYPTED_COLUMNS[4].aad(id),
  calendarChannelToken: (id: string) => ENCRYPTED_COLUMNS[5].aad(id),
  meetingStartUrl: (id: string) => ENCRYPTED_COLUMNS[6].aad(id),
  meetingPassword: (id: string) => ENCRYPTED_COLUMNS[7].aad(id),
  messageSealed: (id: string) => `messages.sealed:${id}`,
  idempotencyResponse: (id: string) => ENCRYPTED_COLUMNS[9].aad(id),
};
