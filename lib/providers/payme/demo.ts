// The demo's Payme integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its cashbox id and key are made when it runs:
// nothing fixed in the repository.
import { randomBytes } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "Payme",
      code: "payme",
      description: "Payments in sums through Payme's checkout (Uzbekistan)",
      mode: "sandbox",
      priority: 40,
      credentials: { merchantId: randomBytes(12).toString("hex"), key: randomBytes(27).toString("base64url") },
    },
  ];
}
