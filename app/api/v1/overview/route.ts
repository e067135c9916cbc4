import { route } from "@/lib/api";
import { db } from "@/lib/db";

export const dynamic = "force-dynamic";

/** Provider calls per hour over the last 24 hours, by outcome, for the overview chart. */
export const GET = route({ access: { permission: "overview.read", scope: "logs:read" } }, async () => {
  const since = new Date();
  since.setUTCMinutes(0, 0, 0);
  since.setTime(since.getTime() - 23 * 3600_000); // 24 whole hours, the current one included
  const rows = await db.$queryRaw<{ hour: Date; success: bigint; error: bigint }[]>`
    select date_trunc('hour', created_at) as hour,
           count(*) filter (where status = 'success') as success,
           count(*) filter (where status = 'error') as error
      from integration_logs
     where created_at >= ${since}
     group by 1 order by 1`;
  const byHour = new Map(rows.map((r) => [r.hour.toISOString(), r]));
  const series = [];
  for (let t = since.getTime(); t <= Date.now(); t += 3600_000) {
    const key = new Date(t).toISOString();
    const r = byHour.get(key);
    series.push({ hour: key, success: Number(r?.success ?? 0), error: Number(r?.error ?? 0) });
  }
  return { calls: series };
});
