// The payment actions the screens offer come from each provider's definition: a refund only
// where the provider declares payments.refund, a status check only where Switchboard asks the
// provider (not a merchant API, which reports every transaction itself), and a reason otherwise.
import { describe, expect, it } from "vitest";
import { listProviders } from "@/lib/providers/registry";
import { paymentActions } from "@/lib/payments/capabilities";
import { paymentItem } from "@/lib/payments/contract";

describe("paymentActions", () => {
  const payments = listProviders().filter((d) => d.payments);

  it("follows every payment provider's definition, with a reason exactly when an action is not offered", () => {
    expect(payments.length).toBeGreaterThan(3);
    for (const def of payments) {
      const a = paymentActions(def.id);
      expect(a.refund.available, def.id).toBe(def.capabilities.includes("payments.refund"));
      expect(a.checkStatus.available, def.id).toBe(!def.payments!.merchant);
      for (const action of [a.refund, a.checkStatus]) expect(action.reason === null, def.id).toBe(action.available);
    }
  });

  it("Payme and Click: neither refunded nor asked through Switchboard, and the screen says why in the provider's name", () => {
    for (const [id, name] of [["payme", "Payme"], ["click", "Click"]]) {
      const a = paymentActions(id);
      expect(a.refund).toEqual({ available: false, reason: `${name} payments are refunded in ${name}'s own cabinet, not through Switchboard` });
      expect(a.checkStatus.available).toBe(false);
      expect(a.checkStatus.reason).toMatch(new RegExp(`^${name} reports each of its transactions`));
    }
  });

  it("Stripe, YooKassa, PayPal: both offered; a provider Switchboard does not know: neither", () => {
    for (const id of ["stripe", "yookassa", "paypal"]) {
      expect(paymentActions(id)).toEqual({ refund: { available: true, reason: null }, checkStatus: { available: true, reason: null } });
    }
    const gone = paymentActions("gone-pay");
    expect([gone.refund.available, gone.checkStatus.available]).toEqual([false, false]);
    expect(gone.refund.reason).toContain('"gone-pay"');
  });

  it("is part of the payment's declared answer", () => {
    expect(paymentItem.shape.actions.parse(paymentActions("payme"))).toEqual(paymentActions("payme"));
    expect(paymentItem.shape.actions.safeParse({ refund: { available: true } }).success).toBe(false);
  });
});
