// The demo's onec integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its secrets are made when it runs: nothing fixed in
// the repository.
import { randomBytes } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "1C:ERP",
      code: "onec",
      description: "Companies, drivers, orders and payments written to 1C",
      mode: "sandbox",
      credentials: { username: "integration", password: randomBytes(12).toString("base64url") },
      config: { timeZone: "Europe/Moscow" },
    },
  ];
}
