// The demo's ringcentral integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its secrets are made when it runs: nothing fixed in
// the repository.
import { randomBytes } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "Office phones",
      code: "ringcentral",
      description: "Click-to-call from the dashboard, the call log, SMS as the last fallback",
      mode: "sandbox",
      credentials: { clientId: randomBytes(11).toString("base64url"), clientSecret: randomBytes(24).toString("base64url") },
      config: { fromNumber: "+14155550100" },
      // SMS falls back to it only after Twilio and SMS.ru
      priority: 900,
    },
  ];
}
