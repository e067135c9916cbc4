// The demo's smsru integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its secrets are made when it runs: nothing fixed in
// the repository.
import { randomUUID } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "SMS.ru",
      code: "smsru",
      description: "Russian SMS gateway: takes over when Twilio fails",
      mode: "sandbox",
      priority: 20,
      credentials: { apiId: randomUUID().toUpperCase() },
      config: { from: "Transfers" },
    },
  ];
}
