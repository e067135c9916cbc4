// The demo's fcm integration: `npm start` seeds it in sandbox mode on a fresh install
// (lib/runtime/seed.ts walks the registry). Its secrets are made when it runs: nothing fixed in
// the repository.
import { generateKeyPairSync } from "node:crypto";
import type { DemoIntegration } from "@/lib/providers/types";

export function demo(): DemoIntegration[] {
  return [
    {
      name: "Driver app push",
      code: "driver-push",
      description: "Push notifications to the drivers' app",
      mode: "sandbox",
      credentials: {
        serviceAccountJson: JSON.stringify({
          type: "service_account",
          project_id: "demo-driver-app",
          private_key: generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }),
          client_email: "push@demo-driver-app.iam.gserviceaccount.com",
        }),
      },
    },
  ];
}
