// The demo's yookassa integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its secrets are made when it runs: nothing fixed in
// the repository.
import { randomBytes } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "YooKassa",
      code: "yookassa",
      description: "Card and SBP payments in roubles",
      mode: "sandbox",
      priority: 10,
      credentials: { shopId: String(500000 + Math.floor(Math.random() * 99_999)), secretKey: `test_${randomBytes(24).toString("base64url")}` },
    },
  ];
}
