// What Switchboard can do with a payment at its provider, read from the provider's definition
// (lib/providers/registry.ts): the payments screen offers only these actions, and the API refuses
// the others with a 422 in the same words (lib/payments/service.ts refundPayment, refreshPayment).
import { getProvider } from "@/lib/providers/registry";
import type { PaymentAction } from "@/lib/payments/contract";

/**
 * What Switchboard can do with a provider's payments, from its definition (the registry): refund
 * through it (capability payments.refund) and ask it for a payment's status (not a merchant API,
 * which reports every transaction itself): available or not, and why not in the words the
 * API's 422 and the payment's screen both use.
 */
export function paymentActions(provider: string): { refund: PaymentAction; checkStatus: PaymentAction } {
  const def = getProvider(provider);
  const name = def?.name ?? provider;
  const known = !!def?.payments;
  const refund = !known
    ? `Switchboard has no payments provider "${provider}"`
    : def.capabilities.includes("payments.refund")
      ? null
      : `${name} payments are refunded in ${name}'s own cabinet, not through Switchboard`;
  const checkStatus = !known
    ? `Switchboard has no payments provider "${provider}"`
    : def.payments!.merchant
      ? `${name} reports each of its transactions to Switchboard as it happens: the payment already shows ${name}'s latest call`
      : null;
  return { refund: { available: !refund, reason: refund }, checkStatus: { available: !checkStatus, reason: checkStatus } };
}

