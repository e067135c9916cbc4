// The keys the sandboxes sign with where the real provider signs with a key of its own (today
// SendGrid's ECDSA Event Webhook key pair). Never committed: made per install at first start
// and kept with the other generated secrets, in DATA_DIR/sandbox-keys.json (mode 0600).
//
// Who reads them: the sandbox server (to sign) and the demo seed (to trust the public half).
// `npm start` names the file in SANDBOX_KEYS_FILE for every process it starts, and
// `npm run sandbox` uses DATA_DIR's; a process with neither (the test suite: each test file
// starts its own sandbox) makes fresh keys of its own, kept in memory only.
import { generateKeyPairSync } from "node:crypto";
import path from "node:path";
import { z } from "zod";
import { ensurePrivateJsonFile } from "@/lib/local-secrets";

const sandboxKeysSchema = z.object({
  sendgrid: z.object({
    /** PKCS#8 PEM, P-256: signs the sandbox's Event Webhook posts */
    privateKeyPem: z.string().min(1),
    /** base64 DER (SPKI), the form SendGrid's dashboard shows and the integration stores */
    publicKey: z.string().min(1),
  }),
});
export type SandboxKeys = z.infer<typeof sandboxKeysSchema>;

export function generateSandboxKeys(): SandboxKeys {
  const pair = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return {
    sendgrid: {
      privateKeyPem: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      publicKey: pair.publicKey.export({ type: "spki", format: "der" }).toString("base64"),
    },
  };
}

/** DATA_DIR/sandbox-keys.json: read, or made once (0600) on first start. */
export function ensureSandboxKeys(file: string): SandboxKeys {
  return ensurePrivateJsonFile(file, generateSandboxKeys, (v) => sandboxKeysSchema.parse(v));
}

/** Where `npm start` and `npm run sandbox` keep them for a data directory. */
export const sandboxKeysFile = (dataDir: string) => path.resolve(dataDir, "sandbox-keys.json");

let current: SandboxKeys | undefined;

/** This process's sandbox keys: SANDBOX_KEYS_FILE's, or fresh ones for this process alone. */
export function sandboxKeys(): SandboxKeys {
  const file = process.env.SANDBOX_KEYS_FILE;
  current ??= file ? ensureSandboxKeys(file) : generateSandboxKeys();
  return current;
}

/** Uses these keys from now on in this process (a test file's fresh keys). */
export function useSandboxKeys(keys: SandboxKeys) {
  current = keys;
}
