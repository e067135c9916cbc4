// Run by bench/compare.ts inside each checkout it compares (cwd = that checkout, so "@/…" is that
// checkout's code): migrates DATABASE_URL, creates the Stripe integration against SANDBOX_URL and
// an API key that may create payments; prints the key as one JSON line.
import { randomBytes } from "node:crypto";
import { migrate } from "@/lib/runtime/migrate";

await migrate(process.env.DATABASE_URL!);
const { createIntegration } = await import("@/lib/integrations/service");
const { generateApiKey } = await import("@/lib/auth/api-keys");
const { db } = await import("@/lib/db");
await createIntegration(
  {
    provider: "stripe",
    name: "Bench Stripe",
    code: "bench-stripe",
    mode: "sandbox",
    credentials: { secretKey: `sk_test_${randomBytes(18).toString("hex")}`, webhookSecret: `whsec_${randomBytes(24).toString("base64")}` },
    config: { currencies: ["USD"] },
  },
  { actor: { type: "system", label: "bench" } },
);
const { key, prefix, hash } = generateApiKey();
await db.apiKey.create({ data: { name: "bench", prefix, keyHash: hash, scopes: ["payments:write"], rateLimitPerMinute: 10_000_000 } });
console.log(JSON.stringify({ key }));
process.exit(0);
