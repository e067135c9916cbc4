// The demo's smtp integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its secrets are made when it runs: nothing fixed in
// the repository.
import { randomBytes } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "Office mail (SMTP)",
      code: "office-smtp",
      description: "The company mailbox, second choice for e-mail",
      mode: "sandbox",
      priority: 20,
      credentials: { username: "dispatch@transfers.example", password: randomBytes(12).toString("base64url") },
      config: { security: "starttls", fromEmail: "dispatch@transfers.example", fromName: "Dispatch" },
    },
  ];
}
