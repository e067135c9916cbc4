// Payme and Click through the browser (issue 18): an admin connects each in sandbox mode (the
// sandbox is told our endpoint, as the provider's cabinet is), makes a payment link in sums on
// the Payments page, pays it on the sandbox's checkout (which calls our endpoint as the provider
// does, and waits for the answers), and comes back to the payment's page, already Succeeded: the
// provider's calls were answered before the payer was sent back. Refund and Check status are
// not offered there (the provider's definition says so).
import { randomBytes, randomInt } from "node:crypto";
import { test, expect, signInAs } from "./fixtures";

const cases = [
  {
    provider: "payme",
    name: "Payme",
    credentials: () => ({ merchantId: randomBytes(12).toString("hex"), key: randomBytes(24).toString("base64url") }),
    amount: "1500.00",
    link: /\/payme\/[A-Za-z0-9+/=]+$/,
    timeline: "Payme state 2",
  },
  {
    provider: "click",
    name: "Click",
    credentials: () => ({ serviceId: String(randomInt(10_000, 99_999)), merchantId: String(randomInt(1_000, 9_999)), secretKey: randomBytes(18).toString("base64url") }),
    amount: "2750.50",
    link: /\/click\/services\/pay\?service_id=/,
    timeline: "completed",
  },
];

for (const c of cases) {
  test(`an admin makes a ${c.name} payment link in sums and pays it in the ${c.name} sandbox`, async ({ page }) => {
    test.setTimeout(90_000);
    await signInAs(page, "admin");
    const integrationName = `${c.name} e2e ${randomInt(1000, 9999)}`;
    const created = await page.request.post("/api/v1/integrations", { data: { provider: c.provider, name: integrationName, mode: "sandbox", credentials: c.credentials() } });
    expect(created.status(), await created.text()).toBe(201);
    const description = `${c.name} vending refill ${randomInt(1000, 9999)}`;

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Payments" }).click();
    await page.getByRole("button", { name: "Create payment link" }).first().click();
    const dialog = page.getByRole("dialog", { name: "Create payment link" });
    await dialog.getByLabel("Currency").selectOption("UZS");
    await dialog.getByLabel("Provider").selectOption({ label: `${integrationName} — ${c.name} (sandbox)` });
    await dialog.getByLabel("Amount").fill(c.amount);
    await dialog.getByLabel("Description").fill(description);
    await dialog.getByRole("button", { name: "Create link" }).click();
    await expect(page.getByText(`Payment link for ${c.amount} UZS created`)).toBeVisible();
    const linkField = dialog.getByLabel("Payment link", { exact: true });
    await expect(linkField).toHaveValue(c.link);
    const link = await linkField.inputValue();
    await dialog.getByRole("button", { name: "Close" }).first().click();
    const row = page.getByRole("table", { name: "Payments" }).getByRole("row").filter({ hasText: description });
    await expect(row).toContainText("Pending");

    // the payer: the sandbox's checkout, Pay, and back
    await page.goto(link);
    await expect(page.getByRole("heading", { name: `Pay ${c.amount} UZS` })).toBeVisible();
    await page.getByRole("button", { name: "Pay", exact: true }).click();
    await expect(page).toHaveURL(/\/payments\/[0-9a-f-]{36}\?returned=1$/);
    await expect(page.getByTestId("payment-status")).toHaveText("Succeeded");
    await expect(page.getByRole("list", { name: "Payment timeline" })).toContainText(c.timeline);
    // refunds are made in the provider's own cabinet and it reports every transaction itself:
    // the page offers neither action (the API would answer 422) and says why
    await expect(page.getByTestId("actions-not-offered")).toContainText(`${c.name} payments are refunded in ${c.name}'s own cabinet`);
    await expect(page.getByRole("button", { name: "Refund", exact: true })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Check status" })).toHaveCount(0);
  });
}
