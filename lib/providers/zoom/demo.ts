// The demo's zoom integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its secrets are made when it runs: nothing fixed in
// the repository.
import { randomBytes } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "Zoom meetings",
      code: "zoom",
      description: "Client calls and driver briefings",
      mode: "sandbox",
      credentials: { accountId: randomBytes(11).toString("base64url"), clientId: randomBytes(11).toString("base64url"), clientSecret: randomBytes(24).toString("base64url"), webhookSecretToken: randomBytes(16).toString("base64url") },
      config: {},
    },
  ];
}
