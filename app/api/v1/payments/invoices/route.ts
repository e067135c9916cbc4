// A customer's invoices at the payment provider (Stripe: subscriptions bill through them),
// by the provider's customer id or by e-mail. customer_email, customer_id and integration_id
// are aliases: lib/compat.ts.
import { route } from "@/lib/api";
import { withAliases } from "@/lib/compat";
import { invoiceList, listInvoicesQuery } from "@/lib/payments/contract";
import { listInvoices } from "@/lib/payments/actions";

export const dynamic = "force-dynamic";

export const GET = route(
  {
    access: { permission: "payments.read", scope: "payments:read" },
    query: withAliases("GET /api/v1/payments/invoices", listInvoicesQuery),
    docs: {
      summary: "List a customer's invoices at the payment provider",
      description: "customerEmail or customerId (Stripe's cus_…); integrationId picks the integration, else the first active one that lists invoices (Stripe). 422 when the integration's provider has no invoices.",
      response: invoiceList,
    },
  },
  async ({ query }) => listInvoices(query),
);
