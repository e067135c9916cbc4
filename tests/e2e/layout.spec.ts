// Layout at the two desktop sizes people use (1440×900, 1280×720): nothing sticks out of the
// box it belongs to. The map's Live panel fits its column (chips, search, order lines); the
// list pages' date-time filters are as wide as their content (the calendar button included);
// the Payments totals leave no gap beside the chart; the sidebar stays in view on a long page;
// the Sandbox badge is one component, the same on every screen.
import { request, type Page } from "@playwright/test";
import { test, expect, signInAs, control } from "./fixtures";
import { VIEWPORTS, expectChildrenWithin, expectFieldFits, expectNoHorizontalOverflow, expectWithin } from "./layout";


const createdKeys: string[] = [];
test.afterAll(async () => {
  if (createdKeys.length) await control("/delete-api-keys", { ids: createdKeys });
});

async function themes(page: Page, fn: (theme: "light" | "dark") => Promise<void>) {
  for (const theme of ["light", "dark"] as const) {
    await page.evaluate((t) => localStorage.setItem("theme", t), theme);
    await fn(theme);
  }
}

test("the map's Live panel fits its column, with a long order line, at both sizes", async ({ page, s }) => {
  await signInAs(page, "admin");
  const res = await page.request.post("/api/v1/api-keys", { data: { name: "Layout tracker", scopes: ["tracking:write"] } });
  expect(res.status(), await res.text()).toBe(201);
  const { key, apiKey } = (await res.json()) as { key: string; apiKey: { id: string } };
  createdKeys.push(apiKey.id);
  const device = await request.newContext({ baseURL: s.baseURL, extraHTTPHeaders: { authorization: `Bearer ${key}` } });
  const olga = s.drivers.find((d) => d.name === "Olga Driver")!;
  const posted = await device.post("/api/v1/tracking/locations", { data: { driverId: olga.id, latitude: 55.75, longitude: 37.61, speed: 30, heading: 10, recordedAt: new Date().toISOString() } });
  expect(posted.status()).toBe(202);
  await device.dispose();

  // a driver on an order with long addresses, as in a real day (the e2e stack has no orders:
  // the drivers' snapshot gets one, the rest of the answer is the server's)
  await page.route("**/api/v1/tracking/drivers", async (route) => {
    const res = await route.fetch();
    const body = (await res.json()) as { drivers: { name: string; order: unknown }[] };
    for (const d of body.drivers) {
      if (d.name !== "Olga Driver") continue;
      d.order = {
        id: "00000000-0000-4000-8000-000000000123",
        number: "APP-2026-000123",
        status: "in_progress",
        pickupAddress: "Sheremetyevo International Airport, Terminal B, arrivals hall, meeting point 4",
        dropoffAddress: "Krasnopresnenskaya naberezhnaya 12, World Trade Center, Entrance 7, Moscow",
        pickupAt: new Date().toISOString(),
      };
    }
    await route.fulfill({ response: res, json: body });
  });

  for (const v of VIEWPORTS) {
    await page.setViewportSize(v);
    await page.goto("/map");
    const panel = page.getByTestId("live-panel");
    await expect(panel.getByRole("list", { name: "Drivers" }).getByRole("listitem").first()).toBeVisible();
    await panel.getByRole("list", { name: "Drivers" }).getByRole("listitem").filter({ hasText: "Olga Driver" }).getByRole("button").click();
    await expect(panel.getByRole("region", { name: "Selected driver" })).toContainText("APP-2026-000123");
    const column = panel.locator("xpath=ancestor::*[@role='tabpanel']/..");
    await expectNoHorizontalOverflow(column, `the map's side column at ${v.width}×${v.height}`);
    // the column scrolls vertically when the list is long: the panel must fit its width
    await expectWithin(panel, column, `the Live panel at ${v.width}×${v.height}`, 1, { axis: "x" });
    await expectWithin(panel.getByRole("group", { name: "Drivers by state" }), panel, `the state chips at ${v.width}×${v.height}`);
    await expectChildrenWithin(panel.getByRole("group", { name: "Drivers by state" }), "the state chips");
    await expectWithin(panel.getByLabel("Search drivers", { exact: true }), panel, `the search box at ${v.width}×${v.height}`);
    await expectChildrenWithin(panel, `the Live panel at ${v.width}×${v.height}`);
    // the panel and the map sit side by side, neither over the other
    const mapBox = (await page.getByRole("region", { name: "Driver map" }).boundingBox())!;
    const panelBox = (await panel.boundingBox())!;
    expect(panelBox.x + panelBox.width).toBeLessThanOrEqual(mapBox.x);
  }
});

test("every list page's date-time filters are as wide as their content, at both sizes and in both themes", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "admin");
  const pages = ["/logs", "/webhooks", "/payments", "/messages", "/calls", "/audit", "/contacts"];
  await themes(page, async (theme) => {
    for (const v of VIEWPORTS) {
      await page.setViewportSize(v);
      for (const p of pages) {
        await page.goto(p);
        const fields = page.locator('input[type="datetime-local"][data-filter="datetime"]');
        await expect(fields.first()).toBeVisible();
        const n = await fields.count();
        expect(n, `${p} has date-time filters`).toBeGreaterThanOrEqual(2);
        for (let i = 0; i < n; i++) {
          const f = fields.nth(i);
          // measured once the page has settled: a CI run under extra load (benchmarks beside it)
          // caught /payments' first filter 29 px out of its form for one frame while the page's
          // data arrived, and laid out within it right after (the failure's own screenshot)
          await expect(async () => {
            await expectFieldFits(f, `${p}'s date-time filter ${i + 1} at ${v.width}×${v.height} (${theme})`);
            await expectWithin(f, page.locator("form").filter({ has: f }), `${p}'s date-time filter ${i + 1} at ${v.width}×${v.height}`);
          }).toPass({ timeout: 5_000 });
        }
      }
    }
  });
});

test("the sidebar stays in view when a long page is scrolled", async ({ page }) => {
  await signInAs(page, "admin");
  for (const v of VIEWPORTS) {
    await page.setViewportSize(v);
    await page.goto("/docs");
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav).toBeVisible();
    // the page is longer than the window (once the API document has loaded and rendered)
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(v.height * 1.5);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(v.height / 2);
    const sidebar = page.getByTestId("sidebar");
    const box = (await sidebar.boundingBox())!;
    expect(box.y, "the sidebar's top is at the window's top").toBeGreaterThanOrEqual(-1);
    expect(box.y).toBeLessThanOrEqual(1);
    expect(box.height, "the sidebar fills the window").toBeGreaterThanOrEqual(v.height - 2);
    await expect(nav.getByRole("link", { name: "Overview" })).toBeInViewport();
  }
});

test("the Sandbox badge is the same component, with the same classes, on every screen that shows one", async ({ page }) => {
  test.setTimeout(90_000);
  await signInAs(page, "admin");
  const r = await page.request.post("/api/v1/integrations", {
    data: { provider: "generic-webhook", name: `Layout sandbox ${Date.now()}`, mode: "sandbox", credentials: { signingSecret: "layout-check-signing-secret-0123456789" }, config: {} },
  });
  // a sandbox integration: the Integrations list and the Overview show the badge for it
  expect(r.status(), await r.text()).toBe(201);
  const seen = new Map<string, string[]>();
  for (const p of ["/integrations", "/", "/payments", "/messages", "/calendar", "/meetings", "/erp", "/contacts"]) {
    await page.goto(p);
    await page.waitForLoadState("networkidle");
    for (const b of await page.getByTestId("sandbox-badge").all()) {
      const cls = ((await b.getAttribute("class")) ?? "").split(/\s+/).filter(Boolean).sort().join(" ");
      seen.set(cls, [...(seen.get(cls) ?? []), p]);
    }
    // nothing else says "Sandbox" as a badge of its own
    const loose = await page.locator('[data-slot="badge"]').filter({ hasText: /^\s*Sandbox( mode)?\s*$/ }).evaluateAll((els) => els.filter((e) => e.getAttribute("data-testid") !== "sandbox-badge").length);
    expect(loose, `${p}: a Sandbox badge that is not the shared one`).toBe(0);
  }
  expect([...seen.values()].flat().length, "Sandbox badges seen").toBeGreaterThanOrEqual(2);
  expect(seen.size, `Sandbox badges by their classes: ${JSON.stringify(Object.fromEntries(seen))}`).toBe(1);
});

test("the Payments summary leaves no gap: the totals and the chart end on one line, at both sizes", async ({ page }) => {
  await signInAs(page, "admin");
  for (const v of VIEWPORTS) {
    await page.setViewportSize(v);
    await page.goto("/payments");
    const summary = page.getByTestId("payments-summary");
    const chart = page.getByTestId("revenue-card");
    await expect(chart).toBeVisible();
    await expect(summary.locator('[data-slot="skeleton"], .animate-pulse')).toHaveCount(0);
    const totals = summary.locator(":scope > *").first();
    await expectWithin(totals, summary, `the totals at ${v.width}×${v.height}`);
    await expectWithin(chart, summary, `the revenue chart at ${v.width}×${v.height}`);
    const s = (await summary.boundingBox())!;
    // every card in the totals column reaches the row's bottom or the next card: no hole under them
    const cards = await totals.evaluate((el) => {
      const own = el.matches('[data-slot="card"]') ? [el] : Array.from(el.querySelectorAll<HTMLElement>(':scope > [data-slot="card"], :scope > [role="listitem"]'));
      return own.map((c) => c.getBoundingClientRect().bottom);
    });
    expect(cards.length).toBeGreaterThan(0);
    expect(Math.abs(Math.max(...cards) - (s.y + s.height)), "the lowest totals card ends where the row ends").toBeLessThanOrEqual(2);
    const c = (await chart.boundingBox())!;
    expect(Math.abs(c.y + c.height - (s.y + s.height)), "the chart card ends where the row ends").toBeLessThanOrEqual(2);
  }
});
