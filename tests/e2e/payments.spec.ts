// Payments through the browser, against the Stripe sandbox. An admin connects Stripe (sandbox
// mode: its webhook endpoint is registered with the sandbox, which signs events with our
// whsec_), creates a payment link for 25.00 USD on the Payments page, pays it on the sandbox's
// hosted checkout, comes back to the payment's page and watches it turn Succeeded when the
// signed webhook has gone through the inbox; then refunds 10.00 of it. A viewer sees the
// payment but cannot create or refund, and the API refuses a viewer's payment.
import { randomBytes } from "node:crypto";
import { test, expect, signInAs } from "./fixtures";
import { requestsDuring } from "./requests";
import { createIntegration } from "./api";
import { randomAlnum } from "../helpers/random";

test.describe.configure({ mode: "serial" });

const DESCRIPTION = `E2E airport transfer ${Math.floor(Math.random() * 9000) + 1000}`;
const PAYER = "payer@e2e.test";

test("an admin creates a Stripe payment link, pays it in the sandbox checkout and refunds part of it", async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, "admin");
  await createIntegration(page, {
    provider: "stripe",
    name: "Stripe",
    mode: "sandbox",
    credentials: { secretKey: `sk_test_${randomAlnum(24)}`, webhookSecret: `whsec_${randomBytes(24).toString("base64")}` },
    config: { currencies: ["USD"] },
  });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Payments" }).click();
  await expect(page.getByRole("heading", { name: "Payments", level: 1 })).toBeVisible();

  // ── the link ──
  await page.getByRole("button", { name: "Create payment link" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create payment link" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Currency").selectOption("USD");
  await dialog.getByLabel("Provider").selectOption({ label: "Stripe (sandbox)" });
  // more decimals than the currency has is refused before anything is sent
  await dialog.getByLabel("Amount").fill("25.001");
  await dialog.getByRole("button", { name: "Create link" }).click();
  await expect(dialog.getByText("USD has 2 decimals at most")).toBeVisible();
  await expect(dialog.getByLabel("Amount")).toHaveAttribute("aria-invalid", "true");

  await dialog.getByLabel("Amount").fill("25.00");
  await dialog.getByLabel("Description").fill(DESCRIPTION);
  await dialog.getByLabel("Customer e-mail").fill(PAYER);
  await dialog.getByRole("button", { name: "Create link" }).click();
  await expect(page.getByText("Payment link for 25.00 USD created")).toBeVisible();
  const linkField = dialog.getByLabel("Payment link", { exact: true });
  // the link as a QR code, drawn in the page
  await expect(dialog.getByRole("img", { name: "QR code of the payment link" }).locator("svg")).toBeVisible();
  await expect(linkField).toHaveValue(/\/stripe\/checkout\/cs_/);
  const link = await linkField.inputValue();
  await expect(dialog.getByRole("link", { name: "Open payment" })).toHaveAttribute("href", link);
  await dialog.getByRole("button", { name: "Close" }).first().click();
  await expect(dialog).toBeHidden();

  const row = page.getByRole("table", { name: "Payments" }).getByRole("row").filter({ hasText: DESCRIPTION });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("25.00 USD");
  await expect(row).toContainText("Pending");
  await expect(row).toContainText("Sandbox");

  // ── the payer: the sandbox's hosted checkout, "Pay", back to the payment's page ──
  await page.goto(link);
  await expect(page.getByRole("heading", { name: /Pay .*25\.00/ })).toBeVisible();
  await page.getByRole("button", { name: "Pay", exact: true }).click();
  await expect(page).toHaveURL(/\/payments\/[0-9a-f-]{36}\?returned=1$/);
  await expect(page.getByText(/^Back from the checkout/)).toBeVisible();
  const status = page.getByTestId("payment-status");
  // the signed checkout events go through the webhook inbox and its worker
  await expect(status).toHaveText("Succeeded", { timeout: 20_000 });
  await expect(page.getByText("Back from the checkout: the provider confirmed the payment")).toBeVisible();
  const timeline = page.getByRole("list", { name: "Payment timeline" });
  await expect(timeline).toContainText("Created at the provider");
  await expect(timeline).toContainText("Provider reported: Succeeded");
  await expect(page.getByRole("table", { name: "Provider calls" })).toContainText("stripe.checkout.create");

  await page.getByRole("button", { name: "Check status" }).click();
  await expect(page.getByText("Checked with the provider: Succeeded")).toBeVisible();

  // ── a partial refund ──
  await page.getByRole("button", { name: "Refund", exact: true }).click();
  const refund = page.getByRole("dialog", { name: "Refund payment" });
  await expect(refund.getByTestId("refund-hint")).toHaveText("At most 25.00 USD can be refunded");
  await expect(refund.getByLabel("Amount (USD)")).toHaveValue("25.00");
  // more than is left, or not an amount: said next to the amount in the browser, nothing sent
  const sent = await requestsDuring(page, async () => {
    await refund.getByLabel("Amount (USD)").fill("30.00");
    await refund.getByRole("button", { name: "Refund", exact: true }).click();
    await expect(refund.locator("#refund-amount-error")).toHaveText("At most 25.00 USD can be refunded");
    await expect(refund.getByLabel("Amount (USD)")).toHaveAttribute("aria-invalid", "true");
    await expect(refund.getByLabel("Amount (USD)")).toBeFocused();
    await refund.getByLabel("Amount (USD)").fill("ten");
    await refund.getByRole("button", { name: "Refund", exact: true }).click();
    await expect(refund.locator("#refund-amount-error")).toHaveText("An amount such as 100 or 100.50");
    await expect(refund.getByTestId("refund-hint")).toHaveText("At most 25.00 USD can be refunded");
  });
  expect(sent).toEqual([]);
  await refund.getByLabel("Amount (USD)").fill("10.00");
  await refund.getByLabel("Reason").fill("requested_by_customer");
  await refund.getByRole("button", { name: "Refund", exact: true }).click();
  await expect(page.getByText(/^Refund(ed| of) 10\.00 USD/)).toBeVisible();
  await expect(refund).toBeHidden();
  await expect(status).toHaveText("Partially refunded", { timeout: 20_000 });
  const refunds = page.getByRole("table", { name: "Refunds" });
  await expect(refunds.getByRole("row").filter({ hasText: "10.00 USD" })).toHaveCount(1);
  await expect(refunds).toContainText("requested_by_customer");
  await expect(page.getByTestId("payment-refunded")).toHaveText("10.00 USD");
  await expect(timeline).toContainText("Refund requested");

  // the list and its counts follow
  await page.getByRole("link", { name: "Payments" }).first().click();
  await expect(row).toContainText("Partially refunded");
  await expect(row).toContainText("10.00 USD");
  await expect(page.getByTestId("count-partially_refunded")).toHaveText(/^[1-9]\d*$/);
  await expect(page.getByTestId("totals-USD")).toBeVisible();
});

test("a viewer sees the payment but cannot create payment links or refund", async ({ page }) => {
  await signInAs(page, "viewer");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Payments" }).click();
  await expect(page.getByRole("heading", { name: "Payments", level: 1 })).toBeVisible();
  const row = page.getByRole("table", { name: "Payments" }).getByRole("row").filter({ hasText: DESCRIPTION });
  await expect(row).toContainText("Partially refunded");
  await expect(page.getByRole("button", { name: "Create payment link" })).toHaveCount(0);

  await row.getByRole("link", { name: `Open payment 25.00 USD: ${DESCRIPTION}` }).click();
  await expect(page.getByTestId("payment-status")).toHaveText("Partially refunded");
  await expect(page.getByRole("table", { name: "Refunds" })).toContainText("10.00 USD");
  await expect(page.getByRole("button", { name: "Check status" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Refund" })).toHaveCount(0);

  // and the server says no as well
  const res = await page.request.post("/api/v1/payments", { data: { amountMinor: 100, currency: "USD" }, headers: { "Idempotency-Key": crypto.randomUUID() } });
  expect(res.status()).toBe(403);
});

// RUB is the default currency and YooKassa its provider: the default payment link. YooKassa
// signs nothing, so its notifications are accepted by source address; a sandbox-mode
// integration accepts its own sandbox's. The payer comes back to a page that turns Paid by
// itself, and a payment page someone already had open follows without a reload.
test("a RUB payment link through YooKassa's sandbox confirms by itself, on the return page and on an open payment page", async ({ page, context }) => {
  test.setTimeout(120_000);
  await signInAs(page, "admin");
  const name = `YooKassa E2E ${randomAlnum(4)}`;
  await createIntegration(page, {
    provider: "yookassa",
    name,
    mode: "sandbox",
    priority: 1,
    credentials: { shopId: String(600000 + Math.floor(Math.random() * 99_999)), secretKey: `test_${randomAlnum(32)}` },
  });

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Payments" }).click();
  await page.getByRole("button", { name: "Create payment link" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Create payment link" });
  await dialog.getByLabel("Currency").selectOption("RUB");
  await dialog.getByLabel("Provider").selectOption({ label: `${name} — YooKassa (sandbox)` });
  const description = `E2E трансфер ${randomAlnum(6)}`;
  await dialog.getByLabel("Amount").fill("1500.50");
  await dialog.getByLabel("Description").fill(description);
  await dialog.getByRole("button", { name: "Create link" }).click();
  await expect(page.getByText("Payment link for 1500.50 RUB created")).toBeVisible();
  const link = await dialog.getByLabel("Payment link", { exact: true }).inputValue();
  expect(link).toMatch(/\/yookassa\/checkout\//);
  await dialog.getByRole("button", { name: "Close" }).first().click();

  // someone opens the payment's page and leaves it open
  const row = page.getByRole("table", { name: "Payments" }).getByRole("row").filter({ hasText: description });
  await row.getByRole("link", { name: `Open payment 1500.50 RUB: ${description}` }).click();
  await expect(page).toHaveURL(/\/payments\/[0-9a-f-]{36}$/);
  const paymentUrl = page.url();
  const watcher = await context.newPage();
  await watcher.goto(paymentUrl);
  await expect(watcher.getByTestId("payment-status")).toHaveText("Pending");

  // the payer: YooKassa's checkout, "Pay", back on our return page
  await page.goto(link);
  await expect(page.getByRole("heading", { name: /Pay 1500\.50 RUB/ })).toBeVisible();
  await page.getByRole("button", { name: "Pay", exact: true }).click();
  await expect(page).toHaveURL(/\/payments\/[0-9a-f-]{36}\?returned=1$/);
  await expect(page.getByTestId("payment-status")).toHaveText("Succeeded", { timeout: 20_000 });
  await expect(page.getByText("Back from the checkout: the provider confirmed the payment")).toBeVisible();
  await expect(page.getByRole("list", { name: "Payment timeline" })).toContainText("Provider reported: Succeeded");
  await expect(page.getByRole("list", { name: "Payment timeline" })).not.toContainText("Provider notification refused");

  // the page that was already open follows by itself (no reload)
  await expect(watcher.getByTestId("payment-status")).toHaveText("Succeeded", { timeout: 20_000 });
  await watcher.close();
});
