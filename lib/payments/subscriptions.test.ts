// The declared transitions of a subscription (issue 18): what a provider's word may move it to.
import { describe, expect, it } from "vitest";
import { SUBSCRIPTION_TRANSITIONS, subscriptionActions, transitionPath } from "@/lib/payments/subscriptions";
import { SUBSCRIPTION_STATUSES } from "@/lib/payments/contract";

describe("transitionPath", () => {
  it("follows only the declared transitions, with the steps between", () => {
    expect(transitionPath("incomplete", "active")).toEqual(["active"]);
    expect(transitionPath("incomplete", "incomplete_expired")).toEqual(["incomplete_expired"]);
    expect(transitionPath("incomplete", "past_due")).toEqual(["active", "past_due"]);
    expect(transitionPath("incomplete", "canceled")).toEqual(["active", "canceled"]);
    expect(transitionPath("active", "past_due")).toEqual(["past_due"]);
    expect(transitionPath("past_due", "active")).toEqual(["active"]);
    expect(transitionPath("past_due", "canceled")).toEqual(["canceled"]);
    expect(transitionPath("active", "active")).toEqual([]);
  });

  it("never backwards, nothing out of a final status", () => {
    expect(transitionPath("active", "incomplete")).toBeNull();
    expect(transitionPath("active", "incomplete_expired")).toBeNull();
    for (const to of SUBSCRIPTION_STATUSES) {
      if (to !== "canceled") expect(transitionPath("canceled", to)).toBeNull();
      if (to !== "incomplete_expired") expect(transitionPath("incomplete_expired", to)).toBeNull();
    }
  });

  it("every step of every path is a declared transition", () => {
    for (const from of SUBSCRIPTION_STATUSES) {
      for (const to of SUBSCRIPTION_STATUSES) {
        const path = transitionPath(from, to);
        if (!path) continue;
        let at = from;
        for (const next of path) {
          expect(SUBSCRIPTION_TRANSITIONS[at]).toContain(next);
          at = next;
        }
        expect(at).toBe(to);
      }
    }
  });
});

describe("subscriptionActions", () => {
  it("cancel while it runs; resume only a cancel at period end; why not in words", () => {
    expect(subscriptionActions({ provider: "stripe", status: "active", cancelAtPeriodEnd: false })).toEqual({
      cancel: { available: true, reason: null },
      resume: { available: false, reason: "Only a subscription set to cancel at the end of its period can be resumed" },
    });
    expect(subscriptionActions({ provider: "stripe", status: "past_due", cancelAtPeriodEnd: true }).resume).toEqual({ available: true, reason: null });
    expect(subscriptionActions({ provider: "stripe", status: "canceled", cancelAtPeriodEnd: true })).toEqual({
      cancel: { available: false, reason: "The subscription is already canceled" },
      resume: { available: false, reason: "The subscription is already canceled" },
    });
    expect(subscriptionActions({ provider: "payme", status: "active", cancelAtPeriodEnd: false }).cancel.available).toBe(false);
  });
});
