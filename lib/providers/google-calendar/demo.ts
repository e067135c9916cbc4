// The demo's google-calendar integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its secrets are made when it runs: nothing fixed in
// the repository.
import { randomBytes } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "Dispatch calendar",
      code: "google-calendar",
      description: "Orders' pick-ups as calendar events, both ways",
      mode: "sandbox",
      credentials: { clientId: `${randomBytes(6).toString("hex")}-demo.apps.googleusercontent.com`, clientSecret: `GOCSPX-${randomBytes(20).toString("base64url")}` },
      config: { calendarId: "primary", direction: "bidirectional", frequency: "realtime" },
    },
  ];
}
