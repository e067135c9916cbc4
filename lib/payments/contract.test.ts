// The refund dialog's rules, shared by the dialog (checked before anything is sent) and
// POST /api/v1/payments/{id}/refund: in words a person reads, not the validator's.
import { describe, expect, it } from "vitest";
import { checkForm } from "@/lib/client/form";
import { refundInput } from "@/lib/payments/contract";

const all = (p: string) => p;

describe("refundInput", () => {
  it("every problem at once, in words", () => {
    const r = checkForm(refundInput, { amountMinor: 0, reason: "x".repeat(301) }, all);
    expect(r).toEqual({ ok: false, fields: { amountMinor: "The amount must be more than zero", reason: "At most 300 characters" }, form: null });
    expect(checkForm(refundInput, { amountMinor: 10.5 }, all)).toMatchObject({ fields: { amountMinor: "Amounts are integers in minor units (kopecks, cents; yen for JPY)" } });
    expect(checkForm(refundInput, { amountMinor: 3_000_000_000 }, all)).toMatchObject({ fields: { amountMinor: "That amount is too large" } });
  });

  it("no amount refunds what is left; a reason is trimmed", () => {
    expect(refundInput.parse({})).toEqual({});
    expect(refundInput.parse({ amountMinor: 1000, reason: " duplicate " })).toEqual({ amountMinor: 1000, reason: "duplicate" });
  });
});

describe("createSubscriptionInput", () => {
  it("a plan with its amount, currency and interval; every period once by default", async () => {
    const { createSubscriptionInput } = await import("@/lib/payments/contract");
    expect(createSubscriptionInput.parse({ plan: " Pro ", amountMinor: 1500, currency: "usd", interval: "month" })).toEqual({
      plan: "Pro", amountMinor: 1500, currency: "USD", interval: "month", intervalCount: 1,
    });
  });

  it("an unknown field is named; wrong values in words", async () => {
    const { createSubscriptionInput, cancelSubscriptionInput } = await import("@/lib/payments/contract");
    const r = createSubscriptionInput.safeParse({ plan: "Pro", amountMinor: 1500, currency: "USD", interval: "month", trial: 7 });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("trial");
    expect(checkForm(createSubscriptionInput, { plan: "", amountMinor: 0, currency: "USD", interval: "month", intervalCount: 0 }, all)).toMatchObject({
      fields: { plan: "Name the plan", amountMinor: "The amount must be more than zero", intervalCount: "At least 1" },
    });
    expect(cancelSubscriptionInput.safeParse({}).success).toBe(false);
    expect(cancelSubscriptionInput.parse({ atPeriodEnd: true })).toEqual({ atPeriodEnd: true });
  });
});
