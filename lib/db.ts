// One Prisma client per process, on the pg driver adapter (no native query engine).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";

const globalForDb = globalThis as unknown as { __sbPrisma?: PrismaClient; __sbPrismaUrl?: string };

function create(url: string) {
  const adapter = new PrismaPg({ connectionString: url, max: Number(process.env.DB_POOL_MAX ?? 10) });
  return new PrismaClient({ adapter });
}

export function getDb(): PrismaClient {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  if (!globalForDb.__sbPrisma || globalForDb.__sbPrismaUrl !== url) {
    globalForDb.__sbPrisma = create(url);
    globalForDb.__sbPrismaUrl = url;
  }
  return globalForDb.__sbPrisma;
}

/** `db.user.findMany()` etc.; resolved lazily so importing never connects. */
export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_t, prop) {
    const client = getDb() as unknown as Record<string | symbol, unknown>;
    const v = client[prop];
    return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(client) : v;
  },
});

export async function disconnectDb() {
  await globalForDb.__sbPrisma?.$disconnect();
  globalForDb.__sbPrisma = undefined;
}

export type { PrismaClient };
export { Prisma } from "@/generated/prisma/client";
