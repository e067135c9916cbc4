// Prisma CLI configuration. The CLI uses its bundled Wasm schema engine through the
// driver adapter (no native engine download: see ../shared/reference/database.md).
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";

export default defineConfig({
  experimental: { adapter: true },
  schema: "prisma/schema.prisma",
  engine: "js",
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://localhost/none" });
  },
});
