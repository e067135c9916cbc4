// The demo's GPS simulator (started by `npm start` when demo data is on): every
// GPS_SIMULATOR_INTERVAL_SECONDS it posts one position per demo driver to the ingest API, as
// the drivers' phones would, with the fleet key npm start made for it (SIM_API_KEY).
import { simulatorAt } from "@/lib/tracking/simulator";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";

const base = process.env.SIM_BASE_URL!;
const key = process.env.SIM_API_KEY!;
const ids = (process.env.SIM_DRIVER_IDS ?? "").split(",").filter(Boolean);
const every = env().GPS_SIMULATOR_INTERVAL_SECONDS;
// the start seeded today's history with the same simulators: continue from where they are now
const sims = ids.map((_, i) => simulatorAt(i, Date.now()));

let failures = 0;
async function tick() {
  const positions = ids.map((id, i) => ({ driverId: id, recordedAt: new Date().toISOString(), ...sims[i].step(every) }));
  try {
    const res = await fetch(`${base}/api/v1/tracking/locations`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ positions }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    failures = 0;
  } catch (e) {
    if (failures++ % 20 === 0) logger.warn({ err: (e as Error).message }, "GPS simulator could not post");
  }
}

const timer = setInterval(tick, every * 1000);
process.send?.({ ready: true });
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    clearInterval(timer);
    process.exit(0);
  });
}
