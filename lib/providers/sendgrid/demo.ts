// The demo's sendgrid integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its secrets are made when it runs: nothing fixed in
// the repository.
import { randomBytes } from "node:crypto";
import { sandboxKeys } from "@/lib/sandbox/keys";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "SendGrid",
      code: "sendgrid",
      description: "Transactional e-mail with delivery events",
      mode: "sandbox",
      priority: 10,
      credentials: { apiKey: `SG.${randomBytes(16).toString("base64url")}.${randomBytes(32).toString("base64url")}`, webhookPublicKey: sandboxKeys().sendgrid.publicKey },
      config: { fromEmail: "noreply@transfers.example", fromName: "Demo Transfers" },
    },
  ];
}
