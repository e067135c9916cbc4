// The demo's suitedash integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its secrets are made when it runs: nothing fixed in
// the repository.
import { randomBytes, randomUUID } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "SuiteDash CRM",
      code: "suitedash",
      description: "Website contact submissions become SuiteDash leads",
      mode: "sandbox",
      credentials: { publicId: randomUUID(), secretKey: randomBytes(24).toString("base64url") },
      config: { mode: "api", role: "Lead" },
    },
  ];
}
