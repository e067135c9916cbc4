// Subscriptions through the browser, against the Stripe sandbox (issue 18, item 7). An admin
// connects Stripe in sandbox mode (its webhook endpoint registered with the sandbox, which signs
// events with our whsec_), opens the Payments screen's Subscriptions tab, creates a monthly
// subscription (a wrong form sends nothing and says why in words), pays its first period on the
// sandbox's hosted checkout and comes back to the subscription's page, which turns Active when
// the signed events have gone through the webhook inbox: its charge links to its payment and to
// the invoice and its PDF, and the payment links back. Then cancel at the end of the period
// (asked first), resume, and cancel now: final, nothing more offered and the page says why.
// A viewer sees it but is offered nothing, and the API refuses a viewer's cancel.
import { randomBytes } from "node:crypto";
import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { test, expect, signInAs } from "./fixtures";
import { VIEWPORTS, expectNoHorizontalOverflow } from "./layout";
import { requestsDuring, RAW } from "./requests";
import { createIntegration } from "./api";
import { randomAlnum } from "../helpers/random";

test.describe.configure({ mode: "serial" });

const PLAN = `E2E Pro monthly ${Math.floor(Math.random() * 9000) + 1000}`;
const PAYER = "subscriber@e2e.test";
let subscriptionUrl = "";
let integrationId = "";

test("an admin creates a Stripe subscription, pays it in the sandbox checkout, cancels it at period end, resumes it and cancels it now", async ({ page }) => {
  test.setTimeout(150_000);
  await signInAs(page, "admin");
  integrationId = (
    await createIntegration(page, {
      provider: "stripe",
      name: "Stripe Billing",
    mode: "sandbox",
    credentials: { secretKey: `sk_test_${randomAlnum(24)}`, webhookSecret: `whsec_${randomBytes(24).toString("base64")}` },
      config: { currencies: ["USD"] },
    })
  ).id;

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Payments" }).click();
  await expect(page.getByRole("heading", { name: "Payments", level: 1 })).toBeVisible();
  const tabs = page.getByRole("tablist", { name: "Payments and subscriptions" });
  await expect(tabs.getByRole("tab", { name: "Payments" })).toHaveAttribute("aria-selected", "true");
  await tabs.getByRole("tab", { name: "Subscriptions" }).click();
  await expect(page).toHaveURL(/\/payments\?tab=subscriptions$/);
  await expect(tabs.getByRole("tab", { name: "Subscriptions" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("form", { name: "Subscription filters" })).toBeVisible();

  // ── the subscription: a wrong form sends nothing and says why in words ──
  await page.getByRole("button", { name: "New subscription" }).first().click();
  const dialog = page.getByRole("dialog", { name: "New subscription" });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Currency").selectOption("USD");
  await dialog.getByLabel("Provider").selectOption({ label: "Stripe Billing — Stripe (sandbox)" });
  const sent = await requestsDuring(page, async () => {
    await dialog.getByLabel("Amount each period").fill("12.501");
    await dialog.getByLabel("Number of intervals").fill("0");
    await dialog.getByLabel("Payer e-mail").fill("not an address");
    await dialog.getByRole("button", { name: "Create subscription" }).click();
    await expect(dialog.locator("#sub-plan-error")).toHaveText("Name the plan");
    await expect(dialog.getByLabel("Plan")).toHaveAttribute("aria-invalid", "true");
    await expect(dialog.getByLabel("Plan")).toBeFocused();
    await expect(dialog.locator("#sub-amount-error")).toHaveText("USD has 2 decimals at most");
    await expect(dialog.locator("#sub-count-error")).toHaveText("At least 1");
    await expect(dialog.locator("#sub-email-error")).toHaveText("An e-mail address such as name@example.com");
    await expect(dialog).not.toContainText(RAW);
  });
  expect(sent).toEqual([]);

  await dialog.getByLabel("Plan").fill(PLAN);
  await dialog.getByLabel("Amount each period").fill("12.50");
  await dialog.getByLabel("Number of intervals").fill("1");
  await dialog.getByLabel("Interval", { exact: true }).selectOption("month");
  await expect(dialog.getByTestId("sub-period-hint")).toHaveText("12.50 USD every month");
  await dialog.getByLabel("Payer e-mail").fill(PAYER);
  await dialog.getByRole("button", { name: "Create subscription" }).click();
  await expect(page.getByText(`Subscription ${PLAN} created`)).toBeVisible();
  const result = dialog.getByTestId("subscription-result");
  await expect(result).toContainText("12.50 USD every month");
  await expect(result).toContainText("Awaiting first payment");
  const linkField = dialog.getByLabel("Approval link", { exact: true });
  await expect(linkField).toHaveValue(/\/stripe\/checkout\/cs_/);
  const link = await linkField.inputValue();
  await expect(dialog.getByRole("link", { name: "Open approval page" })).toHaveAttribute("href", link);
  await dialog.getByRole("button", { name: "Close" }).first().click();
  await expect(dialog).toBeHidden();

  const row = page.getByRole("table", { name: "Subscriptions" }).getByRole("row").filter({ hasText: PLAN });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("12.50 USD");
  await expect(row).toContainText("every month");
  await expect(row).toContainText("Awaiting first payment");
  await expect(row).toContainText("Sandbox");
  // the filters are in the URL, next to the tab
  await page.getByLabel("Status").selectOption({ label: "Active" });
  await expect(page).toHaveURL(/tab=subscriptions.*status=active|status=active.*tab=subscriptions/);
  await expect(row).toHaveCount(0);
  await page.getByLabel("Status").selectOption({ label: "Awaiting first payment" });
  await expect(row).toHaveCount(1);
  await page.getByRole("button", { name: /^Clear/ }).click();
  await expect(page).toHaveURL(/\/payments\?tab=subscriptions$/);

  // ── the payer: the sandbox's hosted checkout in subscription mode, "Pay", back to the subscription ──
  await page.goto(link);
  await expect(page.getByRole("heading", { name: /Pay .*12\.50.* per month/ })).toBeVisible();
  await page.getByRole("button", { name: "Pay", exact: true }).click();
  await expect(page).toHaveURL(/\/payments\/subscriptions\/[0-9a-f-]{36}\?returned=1$/);
  subscriptionUrl = new URL(page.url()).pathname;
  const status = page.getByTestId("subscription-status");
  // the signed events (customer.subscription.created, invoice.paid …) go through the webhook inbox and its worker
  await expect(status).toHaveText("Active", { timeout: 20_000 });
  await expect(page.getByText("Back from the approval page: the provider confirmed the subscription")).toBeVisible();
  await expect(page.getByRole("heading", { name: `Subscription: ${PLAN}`, level: 1 })).toBeVisible();
  await expect(page.getByTestId("subscription-amount")).toHaveText("12.50 USD every month");
  await expect(page.getByTestId("subscription-period")).toHaveText(/^\S.* – \S/);
  await expect(page.getByTestId("subscription-renewal")).toHaveText("Renews");
  await expect(page.getByRole("list", { name: "Subscription timeline" })).toContainText("Active");

  // its first charge: the payment, the hosted invoice and its PDF
  const charges = page.getByRole("table", { name: "Charges" });
  const charge = charges.getByTestId("charge-row");
  await expect(charge).toHaveCount(1);
  await expect(charge).toContainText("12.50 USD");
  await expect(charge).toContainText("Succeeded");
  await expect(charge).toContainText("First payment");
  const invoice = charge.getByRole("link", { name: "Invoice" });
  await expect(invoice).toHaveAttribute("href", /\/stripe\/invoice\/in_/);
  await expect(charge.getByRole("link", { name: "PDF" })).toHaveAttribute("href", /\/stripe\/invoice\/in_\w+\/pdf$/);
  const invoicePage = await page.request.get((await invoice.getAttribute("href"))!);
  expect(invoicePage.status()).toBe(200);
  expect(await invoicePage.text()).toContain("12.50");

  await charge.getByRole("link", { name: /^Open payment 12\.50 USD/ }).click();
  await expect(page.getByTestId("payment-status")).toHaveText("Succeeded");
  await expect(page.getByRole("link", { name: "Invoice" })).toHaveAttribute("href", /\/stripe\/invoice\/in_/);
  await page.getByTestId("payment-subscription").click();
  await expect(page).toHaveURL(new RegExp(`${subscriptionUrl}$`));
  await expect(status).toHaveText("Active");

  // ── cancel at the end of the period: asked first, each choice says what it does ──
  await expect(page.getByRole("button", { name: "Resume" })).toHaveCount(0);
  await page.getByRole("button", { name: "Cancel subscription" }).click();
  const ask = page.getByRole("dialog", { name: "Cancel subscription" });
  await expect(ask).toContainText("When should it end?");
  const atEnd = ask.getByRole("radio", { name: /^At the end of the period/ });
  const now = ask.getByRole("radio", { name: /^Now/ });
  await expect(atEnd).toBeChecked();
  await expect(ask).toContainText("Until then you can resume it");
  await expect(ask).toContainText("cannot be resumed");
  await ask.getByRole("button", { name: "Cancel at period end" }).click();
  await expect(ask).toBeHidden();
  await expect(page.getByText("It ends with the current period")).toBeVisible();
  await expect(page.getByTestId("ends-with-period")).toBeVisible();
  await expect(page.getByTestId("subscription-renewal")).toHaveText("Ends: no renewal");
  await expect(status).toHaveText("Active");

  // ── resume: it renews again ──
  await page.getByRole("button", { name: "Resume" }).click();
  await expect(page.getByText("Resumed: it renews at the end of the period again")).toBeVisible();
  await expect(page.getByTestId("ends-with-period")).toHaveCount(0);
  await expect(page.getByTestId("subscription-renewal")).toHaveText("Renews");
  await expect(page.getByRole("button", { name: "Resume" })).toHaveCount(0);

  // ── cancel now: final ──
  await page.getByRole("button", { name: "Cancel subscription" }).click();
  await now.check();
  await ask.getByRole("button", { name: "Cancel now" }).click();
  await expect(ask).toBeHidden();
  await expect(status).toHaveText("Canceled", { timeout: 20_000 });
  await expect(page.getByTestId("subscription-renewal")).toHaveText(/^Canceled /);
  await expect(page.getByRole("button", { name: "Cancel subscription" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Resume" })).toHaveCount(0);
  await expect(page.getByTestId("actions-not-offered")).toHaveText("The subscription is already canceled.");

  // the list follows
  await page.getByRole("link", { name: "Subscriptions" }).first().click();
  await expect(page).toHaveURL(/\/payments\?tab=subscriptions$/);
  await expect(row).toContainText("Canceled");
});

test("a viewer sees the subscription but cannot create, cancel or resume one", async ({ page }) => {
  test.skip(!subscriptionUrl, "needs the subscription of the test before");
  await signInAs(page, "viewer");
  await page.goto("/payments?tab=subscriptions");
  await expect(page.getByRole("tab", { name: "Subscriptions" })).toHaveAttribute("aria-selected", "true");
  const row = page.getByRole("table", { name: "Subscriptions" }).getByRole("row").filter({ hasText: PLAN });
  await expect(row).toContainText("Canceled");
  await expect(page.getByRole("button", { name: "New subscription" })).toHaveCount(0);

  await row.getByRole("link", { name: `Open subscription ${PLAN}` }).click();
  await expect(page.getByTestId("subscription-status")).toHaveText("Canceled");
  await expect(page.getByRole("table", { name: "Charges" }).getByTestId("charge-row")).toHaveCount(1);
  await expect(page.getByRole("button", { name: "Cancel subscription" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Resume" })).toHaveCount(0);
  await expect(page.getByTestId("actions-not-offered")).toContainText("Your role can see subscriptions");

  // and the server says no as well
  const id = subscriptionUrl.split("/").pop();
  const res = await page.request.post(`/api/v1/payments/subscriptions/${id}/cancel`, { data: { atPeriodEnd: true } });
  expect(res.status()).toBe(403);
});

/** the person's choice, as next-themes keeps it, read when the page loads (a storage event sent before the page has hydrated would be lost) */
async function useTheme(p: Page, theme: "light" | "dark") {
  await p.evaluate((t) => localStorage.setItem("theme", t), theme);
  await p.reload();
  await expect(p.locator("html")).toHaveClass(theme === "dark" ? /\bdark\b/ : /^(?!.*\bdark\b)/);
}

/** axe's WCAG 2.1 A/AA rules, nothing wider than its box, and a screenshot to look at */
async function checkScreen(p: Page, name: string) {
  await expect(p.locator('[data-slot="skeleton"], [aria-busy="true"]')).toHaveCount(0, { timeout: 15_000 });
  await p.evaluate(() => document.fonts.ready.then(() => undefined));
  const axe = await new AxeBuilder({ page: p }).options({ resultTypes: ["violations"] }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  expect.soft(axe.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`)), `axe on ${name}`).toEqual([]);
  await expectNoHorizontalOverflow(p.locator("main"), name);
  await p.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
}

test("the Subscriptions tab, a subscription's page and its Cancel dialog at both sizes, light and dark", async ({ page }) => {
  test.skip(!integrationId, "needs the integration of the first test");
  test.setTimeout(150_000);
  await signInAs(page, "admin");
  // one that ends with its period: the page shows the most (Resume, the notice, a charge with its invoice)
  const created = await page.request.post("/api/v1/payments/subscriptions", {
    data: { plan: `${PLAN} (layout)`, amountMinor: 990, currency: "USD", interval: "month", intervalCount: 3, integrationId, customerEmail: PAYER },
    headers: { "Idempotency-Key": crypto.randomUUID() },
  });
  expect(created.status(), await created.text()).toBe(201);
  const sub = (await created.json()) as { id: string; paymentUrl: string };
  await page.goto(sub.paymentUrl);
  await page.getByRole("button", { name: "Pay", exact: true }).click();
  await expect(page.getByTestId("subscription-status")).toHaveText("Active", { timeout: 20_000 });
  const ended = await page.request.post(`/api/v1/payments/subscriptions/${sub.id}/cancel`, { data: { atPeriodEnd: true } });
  expect(ended.status(), await ended.text()).toBe(200);

  for (const v of VIEWPORTS) {
    await page.setViewportSize(v);
    for (const theme of ["light", "dark"] as const) {
      const size = `${v.width}x${v.height}-${theme}`;
      await page.goto("/payments?tab=subscriptions");
      await useTheme(page, theme);
      await expect(page.getByRole("table", { name: "Subscriptions" }).getByRole("row").filter({ hasText: `${PLAN} (layout)` })).toContainText("Ends with the period");
      await checkScreen(page, `subscriptions-tab-${size}`);

      await page.goto(`/payments/subscriptions/${sub.id}`);
      await expect(page.getByTestId("ends-with-period")).toBeVisible();
      await expect(page.getByTestId("subscription-amount")).toHaveText("9.90 USD every 3 months");
      await expect(page.getByRole("button", { name: "Resume" })).toBeVisible();
      await checkScreen(page, `subscription-${size}`);

      // with the end already set, the dialog offers only "Now"
      await page.getByRole("button", { name: "Cancel subscription" }).click();
      const ask = page.getByRole("dialog", { name: "Cancel subscription" });
      await expect(ask.getByRole("radio")).toHaveCount(1);
      await expect(ask.getByRole("radio", { name: /^Now/ })).toBeChecked();
      await page.screenshot({ path: test.info().outputPath(`subscription-cancel-${size}.png`) });
      await ask.getByRole("button", { name: "Keep it" }).click();
      await expect(ask).toBeHidden();
    }
  }
  await page.setViewportSize(VIEWPORTS[1]);
  await page.goto("/payments?tab=subscriptions");
  await page.getByRole("button", { name: "New subscription" }).first().click();
  await page.screenshot({ path: test.info().outputPath("subscription-new-1280x720-dark.png") });
});
