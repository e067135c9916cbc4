// Organisation settings (lib/settings) through GET/PATCH /api/v1/settings: validation with
// field paths, persistence and the audit row, the public base URL in the webhook URLs the
// integration API shows, retention periods the nightly job uses, env as the default, roles.
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { pgPool } from "@/lib/pg";
import { runRetention } from "@/lib/wiring/worker";
import { publicBaseUrl } from "@/lib/urls";
import { cachedSettings, forgetSettings, getSettings } from "@/lib/settings";
import * as settingsRoute from "@/app/api/v1/settings/route";
import * as integrationRoute from "@/app/api/v1/integrations/[id]/route";
import * as exportsRoute from "@/app/api/v1/exports/route";
import { call } from "../helpers/http";
import { createKey, createUser, webhookIntegration } from "../helpers/fixtures";
import { withEnv } from "../helpers/workers";

const IP = "203.0.113.44";
const UA = "settings-test/1.0";

async function patch(cookie: string, body: unknown) {
  return call(settingsRoute.PATCH, { method: "PATCH", url: "/api/v1/settings", cookie, body, ip: IP, headers: { "user-agent": UA } });
}
async function get(cookie: string) {
  return call(settingsRoute.GET, { url: "/api/v1/settings", cookie });
}

afterEach(async () => {
  // every test starts from nothing set
  await db.setting.deleteMany();
  await db.auditLog.deleteMany({ where: { action: "settings.update" } });
  forgetSettings();
});

describe("validation", () => {
  it("answers 400 with the path of every bad field and stores nothing", async () => {
    const admin = await createUser("admin");
    const cases: [unknown, string, RegExp][] = [
      [{ organization: { timeZone: "Mars/Olympus_Mons" } }, "organization.timeZone", /IANA time zone/],
      [{ organization: { defaultCurrency: "XYZ" } }, "organization.defaultCurrency", /ISO 4217/],
      [{ organization: { defaultCurrency: "US" } }, "organization.defaultCurrency", /ISO 4217/],
      [{ organization: { name: "   " } }, "organization.name", /name/],
      [{ publicBaseUrl: "https://hooks.example.com/switchboard" }, "publicBaseUrl", /no path/],
      [{ publicBaseUrl: "https://hooks.example.com/" }, "publicBaseUrl", /trailing slash/],
      [{ publicBaseUrl: "ftp://hooks.example.com" }, "publicBaseUrl", /http/],
      [{ publicBaseUrl: "hooks.example.com" }, "publicBaseUrl", /absolute URL/],
      [{ publicBaseUrl: "https://hooks.example.com?x=1" }, "publicBaseUrl", /no path, query/],
      [{ retention: { logsDays: 0 } }, "retention.logsDays", /At least 1 day/],
      [{ retention: { webhooksDays: 3651 } }, "retention.webhooksDays", /At most 3650/],
      [{ retention: { messagesDays: 1.5 } }, "retention.messagesDays", /whole number/],
      [{ retention: { gpsDays: "90" } }, "retention.gpsDays", /whole number of days/],
      [{ retention: { exportTtlHours: 0.5 } }, "retention.exportTtlHours", /At least 1 hour/],
      [{ retention: { exportTtlHours: 9000 } }, "retention.exportTtlHours", /At most 8760/],
      // an unknown field is named by its own path
      [{ organization: { colour: "blue" } }, "organization.colour", /Unknown field "colour"/],
      [{ theme: "dark" }, "theme", /Unknown field "theme"/],
    ];
    for (const [body, path, message] of cases) {
      const r = await patch(admin.cookie, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe("validation_failed");
      const d = (r.json.error.details as { path: string; message: string }[]).find((x) => x.path === path);
      expect(d, `${JSON.stringify(body)} → ${JSON.stringify(r.json.error.details)}`).toBeDefined();
      expect(d!.message).toMatch(message);
    }
    // several bad fields at once: each named
    const many = await patch(admin.cookie, { organization: { timeZone: "Nowhere/Else", defaultCurrency: "ZZZ" }, retention: { logsDays: -1 } });
    expect((many.json.error.details as { path: string }[]).map((d) => d.path).sort()).toEqual(["organization.defaultCurrency", "organization.timeZone", "retention.logsDays"]);
    expect(await db.setting.count()).toBe(0);
    expect(await db.auditLog.count({ where: { action: "settings.update" } })).toBe(0);
  });

  it("normalizes what it accepts: currency upper-cased, the URL to its origin", async () => {
    const admin = await createUser("admin");
    const r = await patch(admin.cookie, { organization: { defaultCurrency: " eur " }, publicBaseUrl: "HTTPS://Hooks.Example.com:443" });
    expect(r.status, r.text).toBe(200);
    expect(r.json.organization.defaultCurrency).toBe("EUR");
    expect(r.json.publicBaseUrl).toBe("https://hooks.example.com");
  });
});

describe("reading and changing", () => {
  it("GET shows the defaults (retention from the environment) until something is set", async () => {
    await withEnv({ LOG_RETENTION_DAYS: "12", EXPORT_TTL_HOURS: "36" }, async () => {
      const admin = await createUser("admin");
      const r = await get(admin.cookie);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({
        organization: { name: "Switchboard", defaultCurrency: "RUB", timeZone: expect.any(String) },
        retention: { logsDays: 12, webhooksDays: 90, messagesDays: 180, gpsDays: 90, exportTtlHours: 36 },
        publicBaseUrl: "",
        defaults: { retention: { logsDays: 12, exportTtlHours: 36 } },
        custom: { organization: [], retention: [] },
        effective: { publicBaseUrl: "http://localhost:3000", source: "NEXTAUTH_URL", webhookUrlBase: "http://localhost:3000/api/webhooks" },
        updatedAt: null,
      });
      expect((await getSettings()).retention.logsDays).toBe(12);
    });
  });

  it("PATCH stores only what changed, answers the new settings and writes one settings.update row with before → after", async () => {
    const admin = await createUser("admin");
    const r = await patch(admin.cookie, { organization: { name: "Acme Transfers", timeZone: "Europe/Berlin" }, retention: { logsDays: 14 } });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({
      organization: { name: "Acme Transfers", timeZone: "Europe/Berlin", defaultCurrency: "RUB" },
      retention: { logsDays: 14, webhooksDays: 90 },
      custom: { organization: ["name", "timeZone"], retention: ["logsDays"] },
    });
    expect(new Date(r.json.updatedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const rows = await db.setting.findMany({ orderBy: { key: "asc" } });
    expect(rows.map((s) => [s.key, s.value, s.updatedById])).toEqual([
      ["organization", { name: "Acme Transfers", timeZone: "Europe/Berlin" }, admin.id],
      ["retention", { logsDays: 14 }, admin.id],
    ]);

    const audit = await db.auditLog.findMany({ where: { action: "settings.update" } });
    expect(audit).toHaveLength(1);
    const tz = (await getSettings()).organization.timeZone;
    expect(audit[0]).toMatchObject({ actorType: "user", actorId: admin.id, actorLabel: admin.email, entityType: "settings", ip: IP, userAgent: UA });
    expect(audit[0].changes).toEqual({
      "organization.name": { from: "Switchboard", to: "Acme Transfers" },
      "organization.timeZone": { from: expect.any(String), to: tz },
      "retention.logsDays": { from: 30, to: 14 },
    });

    // another process (nothing cached) reads the same
    forgetSettings();
    expect((await get(admin.cookie)).json.organization).toEqual({ name: "Acme Transfers", timeZone: "Europe/Berlin", defaultCurrency: "RUB" });

    // saving the same values again changes nothing and audits nothing
    const same = await patch(admin.cookie, { organization: { name: "Acme Transfers" } });
    expect(same.status).toBe(200);
    expect(await db.auditLog.count({ where: { action: "settings.update" } })).toBe(1);

    // null: back to the default (the row for a section with nothing set is gone)
    const reset = await patch(admin.cookie, { retention: { logsDays: null } });
    expect(reset.json.retention.logsDays).toBe(30);
    expect(reset.json.custom.retention).toEqual([]);
    expect(await db.setting.findUnique({ where: { key: "retention" } })).toBeNull();
    const last = await db.auditLog.findFirstOrThrow({ where: { action: "settings.update" }, orderBy: { id: "desc" } });
    expect(last.changes).toEqual({ "retention.logsDays": { from: 14, to: 30, default: true } });
  });

  it("two admins saving at once: both changes are kept", async () => {
    const [a, b] = [await createUser("admin"), await createUser("admin")];
    const [r1, r2] = await Promise.all([patch(a.cookie, { organization: { name: "Both" } }), patch(b.cookie, { retention: { gpsDays: 30 } })]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    forgetSettings();
    const s = await getSettings();
    expect(s.organization.name).toBe("Both");
    expect(s.retention.gpsDays).toBe(30);
    expect(await db.auditLog.count({ where: { action: "settings.update" } })).toBe(2);
  });

  it("is for admins: dispatchers, viewers and API keys get 403, strangers 401", async () => {
    for (const role of ["dispatcher", "viewer"] as const) {
      const u = await createUser(role);
      const g = await get(u.cookie);
      expect(g.status).toBe(403);
      expect(g.json.error.code).toBe("forbidden");
      expect((await patch(u.cookie, { organization: { name: "Mine now" } })).status).toBe(403);
    }
    const { key } = await createKey(["audit:read", "integrations:write"]);
    expect((await call(settingsRoute.GET, { url: "/x", bearer: key })).status).toBe(403);
    expect((await call(settingsRoute.GET, { url: "/x" })).status).toBe(401);
    expect(await db.setting.count()).toBe(0);
  });
});

describe("public base URL", () => {
  it("the webhook URLs the integration API shows follow the setting, and go back to the environment's when it is emptied", async () => {
    const admin = await createUser("admin");
    const { row } = await webhookIntegration();
    const show = async () => (await call(integrationRoute.GET, { url: "/x", cookie: admin.cookie, params: { id: row.id } })).json.webhook.url as string;
    expect(await show()).toBe(`http://localhost:3000/api/webhooks/receive/${row.code}`);

    const r = await patch(admin.cookie, { publicBaseUrl: "https://hooks.acme.example" });
    expect(r.json.effective).toEqual({ publicBaseUrl: "https://hooks.acme.example", source: "setting", webhookUrlBase: "https://hooks.acme.example/api/webhooks" });
    expect(await show()).toBe(`https://hooks.acme.example/api/webhooks/receive/${row.code}`);
    expect(publicBaseUrl()).toBe("https://hooks.acme.example");

    // a process that has not read the settings yet: cachedSettings() starts the read, getSettings() waits for it
    forgetSettings();
    await getSettings();
    expect(publicBaseUrl()).toBe("https://hooks.acme.example");

    const back = await patch(admin.cookie, { publicBaseUrl: "" });
    expect(back.json.effective).toMatchObject({ publicBaseUrl: "http://localhost:3000", source: "NEXTAUTH_URL" });
    expect(await show()).toBe(`http://localhost:3000/api/webhooks/receive/${row.code}`);
  });

  it("another instance's change is seen within the cache time", async () => {
    await getSettings();
    // as if another web instance wrote it
    await db.setting.create({ data: { key: "publicBaseUrl", value: "https://other.example" } });
    expect(cachedSettings().publicBaseUrl).toBe(""); // still the cached copy
    const g = globalThis as unknown as { __sbSettings: { at: number } };
    g.__sbSettings.at -= 60_000; // the copy is now stale
    cachedSettings(); // starts the refresh
    await expect.poll(() => publicBaseUrl(), { timeout: 5000 }).toBe("https://other.example");
  });

  it("an invalid stored value is ignored, not used", async () => {
    await pgPool().query(`insert into settings (key, value, updated_at) values ('publicBaseUrl', '"https://bad.example/path/"', now()), ('retention', '{"logsDays": 0, "gpsDays": 10}', now())`);
    const s = await getSettings();
    expect(s.publicBaseUrl).toBe("");
    expect(s.retention.logsDays).toBe(30); // the whole invalid row falls back to the defaults
    expect(s.retention.gpsDays).toBe(90);
  });
});

describe("retention", () => {
  it("the nightly job deletes logs older than the configured days, not the environment's", async () => {
    const admin = await createUser("admin");
    const day = 86_400_000;
    const at = (days: number, i: number) => new Date(Date.now() - days * day - i * 1000);
    await db.integrationLog.createMany({
      data: [
        ...Array.from({ length: 7 }, (_, i) => ({ provider: "t", action: "ret.10d", direction: "outbound" as const, status: "success" as const, createdAt: at(10, i) })),
        ...Array.from({ length: 4 }, (_, i) => ({ provider: "t", action: "ret.5d", direction: "outbound" as const, status: "success" as const, createdAt: at(5, i) })),
      ],
    });
    // the environment's 30 days would keep both
    expect((await runRetention()).logs).toBe(0);
    expect(await db.integrationLog.count({ where: { action: { startsWith: "ret." } } })).toBe(11);

    expect((await patch(admin.cookie, { retention: { logsDays: 7 } })).status).toBe(200);
    const r = await runRetention();
    expect(r.logs).toBe(7);
    expect(await db.integrationLog.count({ where: { action: "ret.10d" } })).toBe(0);
    expect(await db.integrationLog.count({ where: { action: "ret.5d" } })).toBe(4);
  });

  it("GPS positions older than the configured days go, and the export TTL sets when a new export expires", async () => {
    const admin = await createUser("admin");
    const driver = await db.driver.create({ data: { name: "Retention Driver", phone: "+79990001122" } });
    const day = 86_400_000;
    for (const days of [3, 8, 9])
      await pgPool().query("insert into gps_positions (driver_id, recorded_at, latitude, longitude) values ($1, $2, 55.7, 37.6)", [driver.id, new Date(Date.now() - days * day)]);
    expect((await patch(admin.cookie, { retention: { gpsDays: 5, exportTtlHours: 2 } })).status).toBe(200);
    const r = await runRetention();
    expect(r.positions).toBe(2);
    expect(Number((await pgPool().query("select count(*) from gps_positions where driver_id = $1", [driver.id])).rows[0].count)).toBe(1);

    const ex = await call(exportsRoute.POST, { url: "/x", cookie: admin.cookie, body: { type: "applications", format: "csv" } });
    expect(ex.status, ex.text).toBe(200);
    const job = (await pgPool().query("select finished_at, expires_at from export_jobs where id = $1", [ex.headers.get("x-export-id")])).rows[0];
    expect(job.expires_at.getTime() - job.finished_at.getTime()).toBeGreaterThan(2 * 3600_000 - 5000);
    expect(job.expires_at.getTime() - job.finished_at.getTime()).toBeLessThan(2 * 3600_000 + 5000);
  });
});
