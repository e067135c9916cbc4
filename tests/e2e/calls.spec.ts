// Calls through the browser. An admin adds RingCentral (against the sandbox) and connects it on
// the sandbox's consent page; the dispatcher opens Calls, calls a driver picked from the
// directory, watches RingCentral's status reach Success, and finds the call in the log, linked
// to the driver, with RingCentral's result once the call is over (the sandbox's notification
// makes the app sync the call log). The map's driver panel offers the same call. A viewer reads
// the log but cannot call, in the page or through the API.
import { test, expect, signInAs, asAdmin } from "./fixtures";

test.describe.configure({ mode: "serial" });

const LINE = "RingCentral E2E";
const FROM = "+16505550100";
const DRIVER = { name: "Olga Driver", phone: "+79990000001" };

test("a dispatcher calls a driver, sees RingCentral connect the call, and finds it in the call log", async ({ page, browser }) => {
  test.setTimeout(120_000);
  await asAdmin(browser, async (admin) => {
    const res = await admin.request.post("/api/v1/integrations", {
      data: {
        provider: "ringcentral",
        name: LINE,
        mode: "sandbox",
        credentials: { clientId: `e2e${Date.now()}rc`, clientSecret: "e2e-ringcentral-client-secret" },
        config: { fromNumber: FROM },
      },
    });
    expect(res.status(), await res.text()).toBe(201);
    const { id } = (await res.json()) as { id: string };
    // Connect: our start route, the sandbox's consent page, back to the integration
    await admin.goto(`/api/oauth/ringcentral/start?integrationId=${id}`);
    await expect(admin.getByRole("heading", { name: /wants to access your RingCentral/ })).toBeVisible();
    await admin.getByRole("button", { name: "Allow" }).click();
    await expect(admin.getByTestId("oauth-notice")).toContainText("Connected to RingCentral");
  });

  await signInAs(page, "dispatcher");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calls" }).click();
  await expect(page.getByRole("heading", { name: "Calls", level: 1 })).toBeVisible();
  const line = page.getByRole("listitem", { name: `Line ${LINE}` });
  await expect(line).toContainText("Connected");
  await expect(line).toContainText(FROM);

  await page.getByRole("button", { name: "Call", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Call" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Find a driver or contact").fill("Olga");
  await dialog.getByRole("list", { name: "Drivers and contacts" }).getByRole("button", { name: new RegExp(DRIVER.name) }).click();
  await expect(dialog.getByLabel("Number", { exact: true })).toHaveValue(DRIVER.phone);
  await expect(dialog.getByTestId("call-picked")).toContainText(DRIVER.name);
  await dialog.getByRole("button", { name: "Call", exact: true }).click();

  // RingCentral rings the dispatcher's phone, then the driver: InProgress → Success
  const status = dialog.getByTestId("call-status");
  await expect(status).toHaveText(/InProgress|Success/);
  await expect(status).toHaveText("Success", { timeout: 15_000 });
  await expect(dialog).toContainText(`On the phone with ${DRIVER.name}`);
  // the call ends: its record reaches the call log, the dialog shows RingCentral's result
  await expect(dialog.getByTestId("call-result")).toContainText("Call connected", { timeout: 30_000 });
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toBeHidden();

  const table = page.getByRole("table", { name: "Calls" });
  const row = table.getByTestId("call-row").filter({ hasText: DRIVER.phone });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(`Driver: ${DRIVER.name}`);
  await expect(row).toContainText("Outbound");
  await expect(row).toContainText("Call connected", { timeout: 30_000 });

  // the driver's calls only
  await row.getByRole("button", { name: `Driver: ${DRIVER.name}` }).click();
  await expect(page).toHaveURL(/driverId=/);
  await expect(page.getByTestId("person-filter")).toContainText(DRIVER.name);
  await expect(table.getByTestId("call-row")).toHaveCount(1);

  // Sync now queues a call-log sync and reports it
  await page.getByRole("button", { name: "Sync now" }).click();
  await expect(page.getByText("Call-log sync queued")).toBeVisible();
  await expect(line.getByTestId("line-sync")).toContainText(/Last sync .*ago/, { timeout: 30_000 });
});

test("the map's driver panel offers the call", async ({ page }) => {
  await signInAs(page, "dispatcher");
  await page.goto("/map");
  await page.getByRole("list", { name: "Drivers" }).getByRole("button", { name: new RegExp(DRIVER.name) }).click();
  const panel = page.getByRole("region", { name: "Selected driver" });
  await panel.getByRole("button", { name: `Call ${DRIVER.name}` }).click();
  const dialog = page.getByRole("dialog", { name: "Call" });
  await expect(dialog.getByLabel("Number", { exact: true })).toHaveValue(DRIVER.phone);
  await expect(dialog.getByTestId("call-picked")).toContainText(DRIVER.name);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
});

test("a viewer reads the call log but cannot start calls", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto("/calls");
  await expect(page.getByRole("heading", { name: "Calls", level: 1 })).toBeVisible();
  await expect(page.getByRole("table", { name: "Calls" }).getByTestId("call-row").filter({ hasText: DRIVER.phone })).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Call", exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Sync now" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Call back/ })).toHaveCount(0);
  // and the server says no too
  const res = await page.request.post("/api/v1/calls/ringout", { data: { to: DRIVER.phone } });
  expect(res.status()).toBe(403);
  // nor on the map
  await page.goto("/map");
  await page.getByRole("list", { name: "Drivers" }).getByRole("button", { name: new RegExp(DRIVER.name) }).click();
  await expect(page.getByRole("region", { name: "Selected driver" })).toBeVisible();
  await expect(page.getByRole("button", { name: `Call ${DRIVER.name}` })).toHaveCount(0);
});
