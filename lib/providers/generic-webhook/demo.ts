// The demo's generic-webhook integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its secrets are made when it runs: nothing fixed in
// the repository.
import { randomBytes } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "Partner portal",
      code: "partner-portal",
      description: "Order events to the partner agency's booking system",
      mode: "sandbox",
      credentials: { signingSecret: randomBytes(32).toString("base64url") },
      config: { scheme: "hmac-sha256" },
    },
  ];
}
