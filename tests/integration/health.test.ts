import { describe, expect, it } from "vitest";
import * as health from "@/app/api/health/route";

describe("/api/health", () => {
  it("answers liveness without touching the database", async () => {
    const res = await health.GET(new Request("http://localhost/api/health?probe=live"));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok" });
  });
  it("checks the database and the job queue for readiness", async () => {
    const res = await health.GET(new Request("http://localhost/api/health"));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ status: "ok", checks: { database: { ok: true }, queue: { ok: true } } });
    expect(body.checks.database.latencyMs).toBeGreaterThanOrEqual(0);
  });
  it("answers 503 when the database is unreachable", async () => {
    const { disconnectDb } = await import("@/lib/db");
    const saved = process.env.DATABASE_URL!;
    await disconnectDb();
    process.env.DATABASE_URL = saved.replace(/:(\d+)\//, ":1/");
    try {
      const res = await health.GET(new Request("http://localhost/api/health"));
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body.status).toBe("unavailable");
      expect(body.checks.database.ok).toBe(false);
      expect(JSON.stringify(body)).not.toContain("test@"); // no credentials in the answer
    } finally {
      await disconnectDb();
      process.env.DATABASE_URL = saved;
    }
  });
});
