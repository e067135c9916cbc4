// The demo's stripe integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its secrets are made when it runs: nothing fixed in
// the repository.
import { randomBytes } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "Stripe",
      code: "stripe",
      description: "Card payments and payment links for foreign clients",
      mode: "sandbox",
      priority: 10,
      credentials: { secretKey: `sk_test_${randomBytes(18).toString("hex")}`, webhookSecret: `whsec_${randomBytes(24).toString("base64")}` },
      config: { currencies: ["USD", "EUR", "JPY"] },
    },
  ];
}
