// The dispatcher's map, offline: the tile server is unreachable (MAP_TILE_URL points at a closed
// port), so the page must draw drivers and routes without tiles and say so quietly. An admin
// makes a tracking:write API key and posts positions as a driver's phone would: Olga appears
// in the list and on the map, and when she moves the map follows her without a reload. A
// day's route for Pavel replays with its statistics and its stop. A viewer sees the map too.
import { request, type APIRequestContext, type Page } from "@playwright/test";
import { test, expect, signInAs, control, type Stack } from "./fixtures";

test.describe.configure({ mode: "serial" });
// the replay's day and clock are the browser's: pin its zone (Moscow: UTC+3, no daylight saving)
test.use({ timezoneId: "Europe/Moscow" });

const createdKeys: string[] = [];

// the keys go again, so the API keys page is empty for the tests that expect it to be
test.afterAll(async () => {
  if (createdKeys.length) await control("/delete-api-keys", { ids: createdKeys });
});

/** A device: a request context that posts with a fresh tracking:write key (made by the signed-in admin). */
async function deviceFor(page: Page, s: Stack): Promise<APIRequestContext> {
  const res = await page.request.post("/api/v1/api-keys", { data: { name: `E2E tracker ${createdKeys.length + 1}`, scopes: ["tracking:write"] } });
  expect(res.status(), await res.text()).toBe(201);
  const { key, apiKey } = (await res.json()) as { key: string; apiKey: { id: string } };
  createdKeys.push(apiKey.id);
  expect(key).toMatch(/^sb_/);
  return request.newContext({ baseURL: s.baseURL, extraHTTPHeaders: { authorization: `Bearer ${key}` } });
}

async function post(device: APIRequestContext, data: unknown, accepted: number) {
  const res = await device.post("/api/v1/tracking/locations", { data });
  expect(res.status(), await res.text()).toBe(202);
  expect(((await res.json()) as { accepted: number }).accepted).toBe(accepted);
}

function driver(s: Stack, name: string) {
  const d = s.drivers.find((x) => x.name === name);
  if (!d) throw new Error(`the e2e stack has no driver ${name}`);
  return d;
}

/** YYYY-MM-DD in Moscow, `days` from today. */
function moscowDay(days: number) {
  return new Date(Date.now() + 3 * 3600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

async function openMap(page: Page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Map" }).click();
  await expect(page.getByRole("heading", { name: "Map", level: 1 })).toBeVisible();
}

test("an admin sees a driver's position on the map and follows her as she moves, without reloading", async ({ page, s }) => {
  const olga = driver(s, "Olga Driver");
  await signInAs(page, "admin");
  const device = await deviceFor(page, s);
  await post(device, { driverId: olga.id, latitude: 55.7558, longitude: 37.6173, speed: 0, heading: 90, accuracy: 8, batteryLevel: 81, recordedAt: new Date().toISOString() }, 1);

  await openMap(page);
  await expect(page).toHaveTitle(/^Map/);
  await expect(page.getByRole("tablist", { name: "Map mode" })).toBeVisible();
  const list = page.getByRole("list", { name: "Drivers" });
  const row = list.getByRole("listitem").filter({ hasText: "Olga Driver" });
  await expect(row).toContainText("Stopped");
  await expect(row).toContainText("E2E001");
  await expect(row).toContainText(/\d+ (s|min) ago|just now/);
  await expect(list.getByRole("listitem").filter({ hasText: "Pavel Driver" })).toBeVisible();

  const marker = page.locator(`.leaflet-marker-icon[data-driver-id="${olga.id}"]`);
  await expect(marker).toBeVisible();
  await expect(marker).toHaveAttribute("aria-label", "Olga Driver: Stopped");
  // no tiles here: a notice, and the map still works
  await expect(page.getByRole("status").filter({ hasText: "Map tiles could not load — drivers and routes are still shown" })).toBeVisible();
  await expect(page.getByTestId("stream-status")).toHaveText("Live");
  // the notice sits above the map, never over it (markers near the top edge stay visible)
  const noticeBox = (await page.getByTestId("tile-notice").boundingBox())!;
  const mapRegion = (await page.getByRole("region", { name: "Driver map" }).boundingBox())!;
  expect(noticeBox.y + noticeBox.height, "the tile notice ends above the map").toBeLessThanOrEqual(mapRegion.y);

  // pick her: the map flies to her and follows her
  await row.getByRole("button").click();
  const selected = page.getByRole("region", { name: "Selected driver" });
  await expect(selected.getByTestId("selected-coordinates")).toHaveText("55.75580, 37.61730");
  await expect(selected.getByRole("button", { name: "Stop following" })).toBeVisible();
  await expect(row.getByRole("button")).toHaveAttribute("aria-pressed", "true");

  await page.evaluate(() => ((window as unknown as { __sameMapPage?: boolean }).__sameMapPage = true));

  // she drives off: the stream brings the position, nobody reloads
  await post(device, { driverId: olga.id, latitude: 55.7602, longitude: 37.6301, speed: 40, heading: 45, recordedAt: new Date().toISOString() }, 1);
  await expect(selected.getByTestId("selected-coordinates")).toHaveText("55.76020, 37.63010");
  await expect(row).toContainText("Moving");
  await expect(row).toContainText("40 km/h");
  await expect(marker).toHaveAttribute("data-lat", "55.7602");
  await expect(marker).toHaveAttribute("aria-label", "Olga Driver: Moving, 40 km/h");
  // while followed, her name is on the map beside her dot, and where she has just been is drawn
  await expect(page.locator(".leaflet-tooltip.sb-driver-label")).toHaveText("Olga Driver");
  const trail = page.locator(".leaflet-overlay-pane path.sb-trail");
  await expect(trail).toBeVisible();
  // the trail runs from her first position to her last: two points at least
  await expect.poll(async () => ((await trail.getAttribute("d")) ?? "").match(/[ML]/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
  // followed: the map moved with her, so she is still in the middle of it
  const mapBox = (await page.getByRole("region", { name: "Driver map" }).boundingBox())!;
  await expect
    .poll(async () => {
      const b = (await marker.boundingBox())!;
      return Math.hypot(b.x + b.width / 2 - (mapBox.x + mapBox.width / 2), b.y + b.height / 2 - (mapBox.y + mapBox.height / 2));
    })
    .toBeLessThan(40);
  expect(await page.evaluate(() => (window as unknown as { __sameMapPage?: boolean }).__sameMapPage)).toBe(true);

  // dragging the map stops following
  const box = (await page.getByRole("region", { name: "Driver map" }).boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.7);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.25 + 120, box.y + box.height * 0.7 - 60, { steps: 8 });
  await page.mouse.up();
  await expect(selected.getByRole("button", { name: "Follow", exact: true })).toBeVisible();

  // no longer followed: her next position moves her marker across the map
  const before = await marker.evaluate((el) => (el as HTMLElement).style.transform);
  await post(device, { driverId: olga.id, latitude: 55.7652, longitude: 37.6401, speed: 35, heading: 45, recordedAt: new Date().toISOString() }, 1);
  await expect(marker).toHaveAttribute("data-lat", "55.7652");
  await expect.poll(() => marker.evaluate((el) => (el as HTMLElement).style.transform)).not.toBe(before);

  // the search finds drivers by plate and by phone
  const search = page.getByLabel("Search drivers", { exact: true });
  await search.fill("e2e002");
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await expect(list).toContainText("Pavel Driver");
  await search.fill("+7 999 000-00-01");
  await expect(list.getByRole("listitem")).toHaveCount(1);
  await expect(list).toContainText("Olga Driver");
  await search.fill("nobody at all");
  await expect(page.getByText("No drivers match")).toBeVisible();

  await device.dispose();
});

test("an admin replays a driver's day: the route, its statistics and stop, and the playback clock", async ({ page, s }) => {
  const pavel = driver(s, "Pavel Driver");
  await signInAs(page, "admin");
  const device = await deviceFor(page, s);

  // yesterday 09:00–09:29 Moscow time, one fix a minute: 10 minutes driving north-east at
  // about 35 km/h, 10 minutes standing still (09:10–09:20), then 9 more minutes driving on
  const day = moscowDay(-1);
  const start = Date.parse(`${day}T09:00:00+03:00`);
  const positions = Array.from({ length: 30 }, (_, i) => {
    const step = i < 10 ? i : i <= 20 ? 10 : i - 10;
    const standing = i >= 10 && i <= 20;
    return {
      driverId: pavel.id,
      latitude: 55.7 + step * 0.004,
      longitude: 37.55 + step * 0.006,
      speed: standing ? 0 : 35,
      heading: standing ? null : 45,
      accuracy: 10,
      recordedAt: new Date(start + i * 60_000).toISOString(),
    };
  });
  await post(device, { positions }, 30);

  await openMap(page);
  await expect(page.getByTestId("stream-status")).toHaveText("Live");
  await page.getByRole("tab", { name: "Replay" }).click();
  // a past day is not live: the pill says Replay
  await expect(page.getByTestId("stream-status")).toHaveText("Replay");
  await page.getByRole("checkbox", { name: "Pavel Driver" }).check();
  await expect(page.getByLabel("Day", { exact: true })).toHaveValue(moscowDay(0));
  await page.getByLabel("Day", { exact: true }).fill(day);
  await page.getByRole("button", { name: "Show route" }).click();

  const route = page.getByRole("listitem", { name: "Route of Pavel Driver" });
  await expect(route.getByTestId("route-distance")).toHaveText(/ km$/);
  expect(Number(await route.getByTestId("route-distance").getAttribute("data-meters"))).toBeGreaterThan(5000);
  await expect(route).toContainText("09:00–09:29");
  await expect(route).toContainText("30 recorded");
  const stops = route.getByRole("list", { name: "Stops of Pavel Driver" });
  await expect(stops.getByRole("listitem")).toHaveCount(1);
  await expect(stops).toContainText("09:10–09:20");
  await expect(stops).toContainText("10 min");
  // the line and the stop are drawn (SVG paths in Leaflet's overlay pane), tiles or not
  await expect(page.locator(".leaflet-overlay-pane path").first()).toBeVisible();
  await expect(page.locator(`.leaflet-marker-icon[data-replay][data-driver-id="${pavel.id}"]`)).toBeVisible();

  // playback at 60×: the clock and the slider move on
  const clock = page.getByTestId("replay-clock");
  await expect(clock).toHaveText("09:00:00");
  const slider = page.getByLabel("Replay position", { exact: true });
  const from = Number(await slider.inputValue());
  await page.getByLabel("Playback speed", { exact: true }).selectOption("60");
  await page.getByRole("button", { name: "Play", exact: true }).click();
  await expect(page.getByRole("button", { name: "Pause", exact: true })).toBeVisible();
  await expect(clock).not.toHaveText("09:00:00");
  await expect.poll(async () => Number(await slider.inputValue())).toBeGreaterThan(from + 60_000);
  await page.getByRole("button", { name: "Pause", exact: true }).click();

  // a stop moves the clock to it
  await stops.getByRole("button").first().click();
  await expect(clock).toHaveText("09:10:00");

  // back to Live: live again
  await page.getByRole("tab", { name: "Live" }).click();
  await expect(page.getByTestId("stream-status")).toHaveText("Live");

  await device.dispose();
});

test("a viewer sees the drivers on the map, read-only", async ({ page, s }) => {
  await signInAs(page, "viewer");
  await openMap(page);
  const list = page.getByRole("list", { name: "Drivers" });
  await expect(list.getByRole("listitem").filter({ hasText: "Olga Driver" })).toBeVisible();
  await expect(list.getByRole("listitem").filter({ hasText: "Pavel Driver" })).toBeVisible();
  await expect(page.locator(".leaflet-marker-icon[data-driver-id]").first()).toBeVisible();
  await page.getByRole("tab", { name: "Replay" }).click();
  await expect(page.getByRole("checkbox", { name: "Pavel Driver" })).toBeVisible();

  // posting positions is for devices' API keys, not for people
  const res = await page.request.post("/api/v1/tracking/locations", { data: { driverId: driver(s, "Olga Driver").id, latitude: 55.75, longitude: 37.61 } });
  expect([401, 403]).toContain(res.status());
});

test("an admin makes a driver's phone key on the API keys page: it posts only that driver's positions", async ({ page, s }) => {
  const olga = driver(s, "Olga Driver");
  const pavel = driver(s, "Pavel Driver");
  await signInAs(page, "admin");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" }).click();
  await page.getByRole("button", { name: "New API key" }).click();
  const dialog = page.getByRole("dialog", { name: "New API key" });
  await dialog.getByLabel("Name", { exact: true }).fill("Olga's phone");
  await dialog.getByRole("checkbox", { name: "tracking:write" }).click();
  await dialog.getByLabel("Driver's device", { exact: true }).selectOption({ label: "Olga Driver" });
  await dialog.getByRole("button", { name: "Create key" }).click();
  const key = await page.getByRole("dialog").getByLabel("API key", { exact: true }).inputValue();
  expect(key).toMatch(/^sb_/);
  await page.getByRole("dialog").getByRole("button", { name: "Done" }).click();
  const row = page.getByRole("table", { name: "API keys" }).getByRole("row").filter({ hasText: "Olga's phone" });
  await expect(row).toContainText("Device of Olga Driver");
  const keys = (await (await page.request.get("/api/v1/api-keys")).json()) as { items: { id: string; name: string }[] };
  createdKeys.push(...keys.items.filter((k) => k.name === "Olga's phone").map((k) => k.id));

  const phone = await request.newContext({ baseURL: s.baseURL, extraHTTPHeaders: { authorization: `Bearer ${key}` } });
  // her phone leaves driverId out: the key says whose it is
  await post(phone, { latitude: 55.741, longitude: 37.62, speed: 12, recordedAt: new Date().toISOString() }, 1);
  const other = await phone.post("/api/v1/tracking/locations", { data: { driverId: pavel.id, latitude: 55.7, longitude: 37.6 } });
  expect(other.status()).toBe(403);
  const snap = (await (await page.request.get("/api/v1/tracking/drivers")).json()) as { drivers: { id: string; location: { latitude: number } | null }[] };
  expect(snap.drivers.find((d) => d.id === olga.id)?.location?.latitude).toBe(55.741);
});
