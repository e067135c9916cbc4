// The demo's Click integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its ids and secret key are made when it runs:
// nothing fixed in the repository.
import { randomBytes, randomInt } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "Click",
      code: "click",
      description: "Payments in sums through Click's payment page (Uzbekistan)",
      mode: "sandbox",
      priority: 50,
      credentials: {
        serviceId: String(randomInt(10_000, 99_999)),
        merchantId: String(randomInt(1_000, 9_999)),
        merchantUserId: String(randomInt(10_000, 99_999)),
        secretKey: randomBytes(18).toString("base64url"),
      },
    },
  ];
}
