// Liveness (?probe=live: the process answers) and readiness (default: the database answers,
// the job queue's schema is installed). 503 when not ready, for load balancers.
import { db } from "@/lib/db";

export const dynamic = "force-dynamic";

async function timed<T>(fn: () => Promise<T>, timeoutMs = 3000) {
  const started = Date.now();
  try {
    const value = await Promise.race([
      fn(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)),
    ]);
    return { ok: true as const, latencyMs: Date.now() - started, value };
  } catch (e) {
    return { ok: false as const, latencyMs: Date.now() - started, error: (e as Error).message.split("\n")[0].slice(0, 200) };
  }
}

export async function GET(req: Request) {
  const probe = new URL(req.url).searchParams.get("probe");
  if (probe === "live") return Response.json({ status: "ok", uptimeSeconds: Math.round(process.uptime()) });
  const database = await timed(() => db.$queryRaw`select 1`);
  const queue = database.ok
    ? await timed(async () => {
        const r = await db.$queryRaw<{ version: number }[]>`select version from pgboss.version limit 1`;
        if (!r.length) throw new Error("pg-boss schema not installed");
        return r[0].version;
      })
    : { ok: false as const, latencyMs: 0, error: "database unavailable" };
  const ok = database.ok && queue.ok;
  const strip = ({ value: _v, ...rest }: { value?: unknown } & Record<string, unknown>) => rest;
  return Response.json(
    { status: ok ? "ok" : "unavailable", checks: { database: strip(database), queue: strip(queue) } },
    { status: ok ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
}
