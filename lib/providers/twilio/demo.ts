// The demo's twilio integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its secrets are made when it runs: nothing fixed in
// the repository.
import { randomBytes } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "Twilio SMS",
      code: "twilio-sms",
      description: "SMS and WhatsApp to drivers and clients (first choice)",
      mode: "sandbox",
      priority: 10,
      credentials: { accountSid: `AC${randomBytes(16).toString("hex")}`, authToken: randomBytes(16).toString("hex") },
      config: { from: "+15005550006", whatsappFrom: "+14155238886" },
    },
  ];
}
