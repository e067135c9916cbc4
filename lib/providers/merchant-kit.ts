// What the merchant-API payment providers share (Payme, Click: the provider calls us and waits;
// lib/payments/merchant.ts answers). Their connection test has nothing of ours to call at the
// provider: in sandbox mode the sandbox plays the provider's console against our endpoint (a
// call it must refuse, one for an order that does not exist); live, the page payers are sent
// to must answer, and the admin is told the URL to enter in the provider's cabinet.
import { classifyFailure } from "@/lib/providers/errors";
import type { ProviderContext, TestResult } from "@/lib/providers/types";

export async function merchantConnectionTest(
  ctx: ProviderContext,
  t: { name: string; consoleUrl: string; checkoutUrl: string; cabinet: string },
): Promise<TestResult> {
  const sandbox = ctx.integration.mode === "sandbox";
  const who = sandbox ? `The ${t.name} sandbox` : `${t.name}'s payment page`;
  try {
    if (sandbox) {
      const res = await ctx.call(`${t.name.toLowerCase()}.console.check`, { method: "POST", url: t.consoleUrl, body: {} });
      if (!res.ok) return { ok: false, message: classifyFailure(res, { name: who }).message };
      const out = res.json<{ ok?: unknown; message?: unknown }>();
      if (typeof out?.message !== "string") return { ok: false, message: `${who} answered something that is not its console's report` };
      return { ok: out.ok === true, message: out.message };
    }
    const res = await ctx.call(`${t.name.toLowerCase()}.checkout.get`, { method: "GET", url: t.checkoutUrl });
    if (!res.ok) return { ok: false, message: classifyFailure(res, { name: who }).message };
    return { ok: true, message: `${who} answers. ${t.name} calls Switchboard at ${ctx.webhookUrl}: ${t.cabinet}` };
  } catch (e) {
    return { ok: false, message: classifyFailure(e, { name: who }).message };
  }
}
