// The demo's telegram integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its secrets are made when it runs: nothing fixed in
// the repository.
import { randomBytes } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  const alnum = () => randomBytes(40).toString("base64").replace(/[^A-Za-z0-9]/g, "").slice(0, 35);
  return [
    {
      name: "Dispatch bot",
      code: "dispatch-bot",
      description: "Notifies dispatchers about new orders; answers /status and /today",
      mode: "sandbox",
      credentials: { botToken: `7000000001:AA${alnum()}`, webhookSecretToken: randomBytes(24).toString("base64url") },
      config: { defaultChatId: "1001", parseMode: "HTML" },
      autoSync: true,
      syncIntervalMinutes: 15,
    },
  ];
}
