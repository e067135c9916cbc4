// The demo's paypal integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its secrets are made when it runs: nothing fixed in
// the repository.
import { randomBytes } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "PayPal",
      code: "paypal",
      description: "PayPal checkout for foreign agencies",
      mode: "sandbox",
      priority: 20,
      credentials: {
        clientId: `A${randomBytes(30).toString("base64url")}`,
        clientSecret: `E${randomBytes(30).toString("base64url")}`,
        webhookId: `${randomBytes(8).toString("hex").toUpperCase()}WH`,
      },
    },
  ];
}
