// Connects an OAuth integration the way an admin does, without a browser: our start step, the
// sandbox's consent page ("Allow"), the redirect back with code and state, our callback.
import { db } from "@/lib/db";
import { startConnect, finishConnect, type CallbackOutcome } from "@/lib/oauth/flow";
import { createUser } from "./fixtures";

type Admin = Awaited<ReturnType<typeof createUser>>;

/** The consent page's form: where it posts and the request id it carries. */
export async function openConsent(authorizeUrl: string) {
  const res = await fetch(authorizeUrl);
  const html = await res.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1];
  return { status: res.status, html, action: action?.replace(/&amp;/g, "&"), requestId };
}

/** Clicks Allow (or Deny) on the sandbox consent page: the redirect's query (code, state or error). */
export async function decide(authorizeUrl: string, decision: "allow" | "deny" = "allow", account = "sandbox.user@example.com") {
  const page = await openConsent(authorizeUrl);
  if (!page.action || !page.requestId) throw new Error(`no consent form (HTTP ${page.status}): ${page.html.slice(0, 300)}`);
  const res = await fetch(new URL(page.action, authorizeUrl), {
    method: "POST",
    body: new URLSearchParams({ request_id: page.requestId, decision, account }),
    redirect: "manual",
  });
  const location = res.headers.get("location");
  if (res.status !== 302 || !location) throw new Error(`consent did not redirect: ${res.status}`);
  const back = new URL(location);
  return { redirectUri: `${back.origin}${back.pathname}`, query: Object.fromEntries(back.searchParams) as Record<string, string> };
}

/** A connected integration: start → Allow → callback, as `admin` (a new admin when omitted). */
export async function connectOAuth(integrationId: string, opts: { admin?: Admin; decision?: "allow" | "deny"; account?: string } = {}): Promise<CallbackOutcome & { admin: Admin }> {
  const admin = opts.admin ?? (await createUser("admin"));
  const row = await db.integration.findUniqueOrThrow({ where: { id: integrationId } });
  const who = { actor: { type: "user" as const, id: admin.id, label: admin.email } };
  const url = await startConnect(row.provider, integrationId, admin.id, who);
  const { query } = await decide(url, opts.decision ?? "allow", opts.account);
  const out = await finishConnect(row.provider, query, admin.id, who);
  return { ...out, admin };
}
