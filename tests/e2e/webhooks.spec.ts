// The inbox through the browser: an admin sets up a custom integration that forwards to the
// CRM, copies its webhook URL, a provider posts a signed event while the CRM is down, the event
// fails after its retries and is visible with its error; the admin retries it and it completes.
// A forged delivery shows as rejected. A viewer sees the inbox but cannot retry.
import { createHmac, randomBytes } from "node:crypto";
import { test, expect, signInAs } from "./fixtures";

test.describe.configure({ mode: "serial" });

const signing = randomBytes(32).toString("base64url");
const forward = "whsec_" + randomBytes(32).toString("base64");
let hookUrl = "";
let eventId = "";

async function deliver(url: string, body: string, secret: string) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-signature": createHmac("sha256", secret).update(body).digest("hex") },
    body,
  });
  return { status: res.status, json: (await res.json()) as { id?: string; error?: { message: string } } };
}

test("an admin sets up a custom integration and copies its webhook URL", async ({ page, s }) => {
  await signInAs(page, "admin");
  await page.goto("/integrations/new");
  await page.getByRole("button", { name: /Custom webhook/ }).click();
  await page.getByLabel("Name", { exact: true }).fill("Orders feed");
  await page.getByLabel("Signing secret", { exact: true }).fill(signing);
  await page.getByLabel("Forward signing secret").fill(forward);
  await page.getByLabel("Forward inbound events to").fill(`${s.sandboxUrl}/generic-webhook/hooks/orders-crm`);
  await page.getByRole("button", { name: "Create integration" }).click();
  await expect(page.getByRole("heading", { name: "Orders feed" })).toBeVisible();

  const field = page.getByLabel("Webhook URL");
  await expect(field).toHaveValue(/\/api\/webhooks\/receive\/orders-feed$/);
  hookUrl = await field.inputValue();
  expect(hookUrl.startsWith(s.baseURL)).toBe(true);
});

test("an event that keeps failing is shown failed with its error, and Retry completes it", async ({ page, s }) => {
  // the CRM answers 500 to the first delivery and both automatic retries
  const fault = await fetch(`${s.sandboxUrl}/__control/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ provider: "generic-webhook", path: "/hooks/orders-crm$", status: 500, times: 3 }),
  });
  expect(fault.status).toBe(201);
  const sent = await deliver(hookUrl, JSON.stringify({ id: "ord-9001", type: "order.created", data: { total: 4200 } }), signing);
  expect(sent.status).toBe(200);
  eventId = sent.json.id!;

  await signInAs(page, "admin");
  await page.getByRole("link", { name: "Webhooks" }).first().click();
  await expect(page.getByRole("heading", { name: "Webhooks" })).toBeVisible();
  // counts by status are filters; the failed one shows up there once its retries are spent
  const failedChip = page.getByRole("button", { name: /^Failed/ });
  await expect(page.getByTestId("count-failed")).toHaveText("1", { timeout: 30_000 });
  await failedChip.click();
  await expect(failedChip).toHaveAttribute("aria-pressed", "true");
  const table = page.getByRole("table", { name: "Webhook events" });
  await expect(table.getByRole("row")).toHaveCount(2);
  await table.getByRole("button", { name: /Open event order.created ord-9001/ }).click();

  const drawer = page.getByRole("dialog");
  await expect(drawer.getByRole("heading", { name: "order.created" })).toBeVisible();
  await expect(drawer.getByTestId("event-status")).toHaveText("Failed");
  await expect(drawer.getByText("Last error: The CRM endpoint had a server error (HTTP 500)")).toBeVisible();
  await expect(drawer.getByText("attempt 3 of 3")).toBeVisible();
  await expect(drawer.getByText(/Verified: hmac-sha256/)).toBeVisible();
  await expect(drawer.getByText('"x-signature": "[REDACTED]"')).toBeVisible();
  await expect(drawer.getByText('"total": 4200')).toBeVisible();

  await drawer.getByRole("button", { name: "Retry" }).click();
  await page.getByRole("alertdialog", { name: "Retry this event?" }).getByRole("button", { name: "Retry" }).click();
  await expect(page.getByText("Retry queued")).toBeVisible();
  await expect(drawer.getByTestId("event-status")).toHaveText("Completed", { timeout: 20_000 });
  await expect(drawer.getByText("retry requested")).toBeVisible();
  await expect(drawer.getByText(/^forwarded to the CRM \(HTTP 200/)).toBeVisible();

  // the CRM got it, signed with the forward secret (the sandbox receiver verified it)
  const inbox = (await (await fetch(`${s.sandboxUrl}/__control/inbox?provider=generic-webhook`)).json()) as { items: { to: string; summary: string }[] };
  expect(inbox.items.filter((i) => i.to === "orders-crm" && i.summary === "order.created")).toHaveLength(1);
});

test("Replay asks first: Cancel sends nothing; Replay runs the handler again", async ({ page }) => {
  await signInAs(page, "admin");
  await page.goto(`/webhooks?event=${eventId}`);
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByTestId("event-status")).toHaveText("Completed");
  const sent: string[] = [];
  page.on("request", (r) => {
    if (r.method() !== "GET" && new URL(r.url()).pathname.startsWith("/api/v1/webhooks")) sent.push(`${r.method()} ${new URL(r.url()).pathname}`);
  });

  await drawer.getByRole("button", { name: "Replay" }).click();
  const ask = page.getByRole("alertdialog", { name: "Replay this event?" });
  await expect(ask).toContainText("Its handler runs again: messages may be sent and payments updated again.");
  await ask.getByRole("button", { name: "Cancel" }).click();
  await expect(ask).toBeHidden();
  await expect(drawer.getByRole("button", { name: "Replay" })).toBeFocused();
  expect(sent).toEqual([]);

  await drawer.getByRole("button", { name: "Replay" }).click();
  await ask.getByRole("button", { name: "Replay" }).click();
  await expect(page.getByText("Replay queued")).toBeVisible();
  expect(sent).toEqual([`POST /api/v1/webhooks/${eventId}/replay`]);
  // the handler ran again: a second forward to the CRM among the event's attempts (the CRM
  // itself recognises the event id and does not file it twice)
  await expect(drawer.getByText("replay requested")).toBeVisible();
  await expect(drawer.getByText(/^forwarded to the CRM \(HTTP 200/)).toHaveCount(2, { timeout: 20_000 });
  await expect(drawer.getByTestId("event-status")).toHaveText("Completed", { timeout: 20_000 });
});

test("a forged delivery is answered 401 and listed as rejected with the reason", async ({ page }) => {
  const forged = await deliver(hookUrl, JSON.stringify({ id: "ord-666", type: "order.refunded" }), "guessed-secret");
  expect(forged.status).toBe(401);
  expect(forged.json.error?.message).toMatch(/signature mismatch/);

  await signInAs(page, "admin");
  await page.goto("/webhooks?status=rejected");
  const table = page.getByRole("table", { name: "Webhook events" });
  await expect(table.getByRole("row")).toHaveCount(2);
  await table.getByRole("button", { name: /Open event unknown/ }).click();
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByTestId("event-status")).toHaveText("Rejected");
  await expect(drawer.getByText("Rejected: hmac-sha256: signature mismatch")).toBeVisible();
  await expect(drawer.getByText("Never processed.")).toBeVisible();
  await expect(drawer.getByRole("button", { name: "Replay" })).toHaveCount(0);
});

test("a viewer reads the inbox but cannot retry, replay or delete", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.goto(`/webhooks?event=${eventId}`);
  const drawer = page.getByRole("dialog");
  await expect(drawer.getByTestId("event-status")).toHaveText("Completed");
  await expect(drawer.getByRole("button", { name: "Replay" })).toHaveCount(0);
  await expect(drawer.getByRole("button", { name: "Delete" })).toHaveCount(0);
  // and the server says no as well
  const res = await page.request.post(`/api/v1/webhooks/${eventId}/replay`);
  expect(res.status()).toBe(403);
});
