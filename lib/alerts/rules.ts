// The alert rules: what needs a person, read from the tables where it shows. The workers call
// evaluateAlerts() every ALERTS_EVALUATE_SECONDS (lib/wiring/worker.ts); the lifecycle (one open
// alert per problem, notify once, resolve) is in lib/alerts/service.ts.
//
// Rules, thresholds and when each alert resolves by itself ("cleared"):
//
//   integration_error   an integration with status 'error' (a failed test or sync, a refused
//                       token): one alert per integration, critical for live integrations,
//                       a warning for sandbox ones. Not raised for an integration whose OAuth
//                       token needs a reconnect (needs_reconnect says it better).
//                       Clears when the integration is no longer in error (a passing test or
//                       sync, switched off, deleted). A new occurrence: a newer last_error_at.
//   needs_reconnect     an OAuth token with status needs_reconnect (the provider refused the
//                       refresh: revoked, expired grant): critical, one per integration. Also
//                       raised at once by lib/oauth/tokens.ts when it happens. Clears when
//                       someone connects again (or the integration is switched off / deleted).
//   send_failures       SEND_FAILURES.count or more messages failed within the last
//                       SEND_FAILURES.windowMinutes, per integration (the one that failed them)
//                       or per channel (failed with no integration to send through): warning.
//                       Clears when the window holds fewer.
//   webhook_failed      webhook events that failed for good (every automatic retry spent, or
//                       a permanent error) within the last WEBHOOK_FAILURES.windowHours, one
//                       alert per integration with the count: warning. Clears when none failed
//                       in the window, or once they were retried or replayed.
//   payment_failed      payments that failed within the last PAYMENT_FAILURES.windowMinutes,
//                       per integration: warning. Clears when the window holds none.
//   subscription_past_due  a subscription whose renewal failed (status past_due): one alert per
//                       subscription, warning. Also raised at once by the subscription.past_due
//                       event (lib/alerts/bindings.ts). Clears when it is active again (a retry
//                       paid) or canceled. A new occurrence: another failed renewal.
//   export_failed       exports that failed within the last EXPORT_FAILURES.windowHours, one
//                       alert per export type: warning. Clears when the window holds none, or
//                       an export of that type completed after the last failure.
//
// A repeat while the alert is open counts as a new occurrence only when it brings a newer
// failure; a person's resolution holds until a failure newer than the resolution (service.ts).
// The thresholds are constants, not settings: they describe "something is wrong", not taste.
import { db } from "@/lib/db";
import { withAdvisoryLock } from "@/lib/locks";
import { logger } from "@/lib/logger";
import { formatMoney } from "@/lib/money";
import { getProvider } from "@/lib/providers/registry";
import { exportTypeLabel } from "@/lib/exports/contract";
import { fireAlert, notifyPending, resolveCleared, type AlertRule, type Condition } from "@/lib/alerts/service";

export const SEND_FAILURES = { count: 5, windowMinutes: 15 } as const;
export const WEBHOOK_FAILURES = { windowHours: 24 } as const;
export const PAYMENT_FAILURES = { windowMinutes: 60 } as const;
export const EXPORT_FAILURES = { windowHours: 24 } as const;

const providerName = (id: string) => getProvider(id)?.name ?? id;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const clip = (s: string | null | undefined, n = 300) => (s && s.length > n ? `${s.slice(0, n - 1)}…` : (s ?? ""));
const CHANNEL_LABEL: Record<string, string> = { sms: "SMS", whatsapp: "WhatsApp", email: "e-mail", push: "push", telegram: "Telegram" };

async function integrationNames(ids: (string | null)[]) {
  const want = [...new Set(ids.filter((x): x is string => !!x))];
  const rows = want.length ? await db.integration.findMany({ where: { id: { in: want } }, select: { id: true, name: true, provider: true } }) : [];
  return new Map(rows.map((r) => [r.id, r]));
}

// ───────────── the rules ─────────────

async function integrationErrors(): Promise<Condition[]> {
  const rows = await db.$queryRaw<{ id: string; name: string; provider: string; mode: string; last_error: string | null; at: Date }[]>`
    select i.id::text as id, i.name, i.provider, i.mode::text as mode, i.last_error, coalesce(i.last_error_at, i.updated_at) as at
      from integrations i
     where i.status = 'error'
       and not exists (select 1 from oauth_tokens t where t.integration_id = i.id and t.status = 'needs_reconnect')`;
  return rows.map((r) => ({
    rule: "integration_error",
    key: `integration_error:${r.id}`,
    severity: r.mode === "live" ? "critical" : "warning",
    title: `${r.name} is in error`,
    message: `${r.name} (${providerName(r.provider)}${r.mode === "sandbox" ? ", sandbox" : ""}) is in error: ${clip(r.last_error) || "its last test or sync failed"}`,
    entityType: "integration",
    entityId: r.id,
    link: `/integrations/${r.id}`,
    details: { provider: r.provider, mode: r.mode, lastError: clip(r.last_error, 1000) || null },
    at: r.at,
  }));
}

/** The needs_reconnect alert of one integration (the rule, and lib/oauth/tokens.ts when it happens). */
export function reconnectCondition(x: { integrationId: string; name: string; provider: string; reason: string; at: Date }): Condition {
  return {
    rule: "needs_reconnect",
    key: `needs_reconnect:${x.integrationId}`,
    severity: "critical",
    title: `Reconnect ${x.name}`,
    message: `${x.name} (${providerName(x.provider)}) can no longer reach the provider: ${clip(x.reason, 500)}\nOpen Integrations → ${x.name} and click Reconnect.`,
    entityType: "integration",
    entityId: x.integrationId,
    link: `/integrations/${x.integrationId}`,
    details: { provider: x.provider },
    at: x.at,
  };
}

async function needsReconnect(): Promise<Condition[]> {
  const rows = await db.$queryRaw<{ id: string; name: string; provider: string; last_error: string | null; at: Date }[]>`
    select i.id::text as id, i.name, i.provider, t.last_error, t.updated_at as at
      from oauth_tokens t join integrations i on i.id = t.integration_id
     where t.status = 'needs_reconnect' and i.status <> 'inactive'`;
  return rows.map((r) =>
    reconnectCondition({ integrationId: r.id, name: r.name, provider: r.provider, reason: r.last_error ?? `${providerName(r.provider)} must be connected again`, at: r.at }),
  );
}

async function sendFailures(): Promise<Condition[]> {
  // created_at bounds the scan to the (status, created_at) index: no message is retried for a day
  const rows = await db.$queryRaw<{ integration_id: string | null; channel: string | null; channels: string[]; n: number; at: Date; last_error: string | null }[]>`
    select m.integration_id::text as integration_id,
           case when m.integration_id is null then m.channel::text end as channel,
           array_agg(distinct m.channel::text) as channels,
           count(*)::int as n, max(m.updated_at) as at,
           (array_agg(m.error order by m.updated_at desc))[1] as last_error
      from messages m
     where m.status = 'failed' and m.created_at > now() - interval '1 day'
       and m.updated_at > now() - make_interval(mins => ${SEND_FAILURES.windowMinutes}::int)
     group by 1, 2
    having count(*) >= ${SEND_FAILURES.count}::int`;
  const names = await integrationNames(rows.map((r) => r.integration_id));
  return rows.map((r): Condition => {
    const what = r.channels.map((c) => CHANNEL_LABEL[c] ?? c).join(" and ");
    const window = `in the last ${SEND_FAILURES.windowMinutes} minutes`;
    const details = { count: r.n, windowMinutes: SEND_FAILURES.windowMinutes, threshold: SEND_FAILURES.count, channels: r.channels, lastError: clip(r.last_error, 1000) || null };
    if (r.integration_id) {
      const name = names.get(r.integration_id)?.name ?? "a deleted integration";
      return {
        rule: "send_failures",
        key: `send_failures:integration:${r.integration_id}`,
        severity: "warning",
        title: `Messages failing through ${name}`,
        message: `${plural(r.n, `${what} message`)} failed through ${name} ${window}. Last error: ${clip(r.last_error) || "unknown"}`,
        entityType: "integration",
        entityId: r.integration_id,
        link: `/messages?status=failed&integrationId=${r.integration_id}`,
        details,
        at: r.at,
      };
    }
    return {
      rule: "send_failures",
      key: `send_failures:channel:${r.channel}`,
      severity: "warning",
      title: `${what.charAt(0).toUpperCase()}${what.slice(1)} messages failing`,
      message: `${plural(r.n, `${what} message`)} failed ${window} with no integration able to send them. Last error: ${clip(r.last_error) || "unknown"}`,
      entityType: null,
      entityId: null,
      link: `/messages?status=failed&channel=${r.channel}`,
      details,
      at: r.at,
    };
  });
}

async function webhookFailures(): Promise<Condition[]> {
  const rows = await db.$queryRaw<{ integration_id: string | null; provider: string; n: number; at: Date; last_type: string; last_error: string | null }[]>`
    select w.integration_id::text as integration_id, (array_agg(w.provider))[1] as provider,
           count(*)::int as n, max(w.processed_at) as at,
           (array_agg(w.event_type order by w.processed_at desc))[1] as last_type,
           (array_agg(w.last_error order by w.processed_at desc))[1] as last_error
      from webhook_events w
     where w.status = 'failed' and w.processed_at > now() - make_interval(hours => ${WEBHOOK_FAILURES.windowHours}::int)
     group by w.integration_id, case when w.integration_id is null then w.provider end`;
  const names = await integrationNames(rows.map((r) => r.integration_id));
  return rows.map((r) => {
    const name = (r.integration_id && names.get(r.integration_id)?.name) || `${providerName(r.provider)} (deleted integration)`;
    return {
      rule: "webhook_failed",
      key: r.integration_id ? `webhook_failed:integration:${r.integration_id}` : `webhook_failed:provider:${r.provider}`,
      severity: "warning",
      title: `Webhooks failing for ${name}`,
      message: `${plural(r.n, "webhook event")} from ${name} failed after all retries in the last ${WEBHOOK_FAILURES.windowHours} hours (the latest: ${r.last_type}${r.last_error ? `: ${clip(r.last_error)}` : ""}). Fix the cause, then Retry them on the Webhooks page.`,
      entityType: r.integration_id ? "integration" : null,
      entityId: r.integration_id,
      link: r.integration_id ? `/webhooks?status=failed&integrationId=${r.integration_id}` : `/webhooks?status=failed&provider=${encodeURIComponent(r.provider)}`,
      details: { count: r.n, windowHours: WEBHOOK_FAILURES.windowHours, provider: r.provider, lastEventType: r.last_type, lastError: clip(r.last_error, 1000) || null },
      at: r.at,
    } satisfies Condition;
  });
}

async function paymentFailures(): Promise<Condition[]> {
  const rows = await db.$queryRaw<{ integration_id: string | null; provider: string; n: number; at: Date; last_id: string; last_amount: number; last_currency: string; last_error: string | null }[]>`
    select p.integration_id::text as integration_id, (array_agg(p.provider))[1] as provider,
           count(*)::int as n, max(p.updated_at) as at,
           (array_agg(p.id::text order by p.updated_at desc))[1] as last_id,
           (array_agg(p.amount_minor order by p.updated_at desc))[1] as last_amount,
           (array_agg(p.currency::text order by p.updated_at desc))[1] as last_currency,
           (array_agg(p.error order by p.updated_at desc))[1] as last_error
      from payments p
     where p.status = 'failed' and p.updated_at > now() - make_interval(mins => ${PAYMENT_FAILURES.windowMinutes}::int)
     group by p.integration_id, case when p.integration_id is null then p.provider end`;
  const names = await integrationNames(rows.map((r) => r.integration_id));
  return rows.map((r) => {
    const name = (r.integration_id && names.get(r.integration_id)?.name) || providerName(r.provider);
    const last = `${formatMoney(r.last_amount, r.last_currency.trim())}${r.last_error ? `: ${clip(r.last_error, 200)}` : ""}`;
    return {
      rule: "payment_failed",
      key: r.integration_id ? `payment_failed:integration:${r.integration_id}` : `payment_failed:provider:${r.provider}`,
      severity: "warning",
      title: `Payments failing through ${name}`,
      message: `${plural(r.n, "payment")} failed through ${name} in the last ${PAYMENT_FAILURES.windowMinutes} minutes (the latest: ${last}).`,
      entityType: r.integration_id ? "integration" : null,
      entityId: r.integration_id,
      link: r.n === 1 ? `/payments/${r.last_id}` : `/payments?status=failed&provider=${encodeURIComponent(r.provider)}`,
      details: { count: r.n, windowMinutes: PAYMENT_FAILURES.windowMinutes, provider: r.provider, lastPaymentId: r.last_id, lastError: clip(r.last_error, 1000) || null },
      at: r.at,
    } satisfies Condition;
  });
}

/** One subscription whose renewal failed: what the admins are told. */
export function pastDueCondition(x: {
  subscriptionId: string; plan: string; provider: string; amountMinor: number; currency: string; customerEmail: string | null; failedCharges: number; error: string | null; at: Date;
}): Condition {
  const who = x.customerEmail ? ` of ${x.customerEmail}` : "";
  return {
    rule: "subscription_past_due",
    key: `subscription_past_due:${x.subscriptionId}`,
    severity: "warning",
    title: `Renewal failed: ${x.plan}${who}`,
    message: `The ${providerName(x.provider)} subscription ${x.plan}${who} (${formatMoney(x.amountMinor, x.currency)}) could not be renewed: ${plural(x.failedCharges, "failed charge")} in a row${x.error ? ` (the latest: ${clip(x.error)})` : ""}. It is past due until a charge is paid.`,
    entityType: "subscription",
    entityId: x.subscriptionId,
    link: `/payments/subscriptions/${x.subscriptionId}`,
    details: { provider: x.provider, failedCharges: x.failedCharges, lastError: clip(x.error, 1000) || null },
    at: x.at,
  };
}

async function pastDueSubscriptions(): Promise<Condition[]> {
  const rows = await db.$queryRaw<{ id: string; plan: string; provider: string; amount_minor: number; currency: string; customer_email: string | null; failed_charges: number; at: Date; error: string | null }[]>`
    select s.id::text as id, s.plan, s.provider, s.amount_minor, s.currency, s.customer_email, s.failed_charges,
           coalesce(p.updated_at, s.updated_at) as at, p.error
      from subscriptions s
      left join lateral (select updated_at, error from payments where subscription_id = s.id and status = 'failed' order by updated_at desc limit 1) p on true
     where s.status = 'past_due'`;
  return rows.map((r) =>
    pastDueCondition({ subscriptionId: r.id, plan: r.plan, provider: r.provider, amountMinor: r.amount_minor, currency: r.currency, customerEmail: r.customer_email, failedCharges: r.failed_charges, error: r.error, at: r.at }),
  );
}

async function exportFailures(): Promise<Condition[]> {
  const rows = await db.$queryRaw<{ type: string; n: number; at: Date; last_id: string; last_error: string | null }[]>`
    select e.type, count(*)::int as n, max(coalesce(e.finished_at, e.created_at)) as at,
           (array_agg(e.id::text order by coalesce(e.finished_at, e.created_at) desc))[1] as last_id,
           (array_agg(e.error order by coalesce(e.finished_at, e.created_at) desc))[1] as last_error
      from export_jobs e
     where e.status = 'failed' and coalesce(e.finished_at, e.created_at) > now() - make_interval(hours => ${EXPORT_FAILURES.windowHours}::int)
     group by e.type
    having not exists (
      select 1 from export_jobs ok
       where ok.type = e.type and ok.status in ('completed', 'expired') and ok.finished_at > max(coalesce(e.finished_at, e.created_at)))`;
  return rows.map((r) => {
    const label = exportTypeLabel(r.type);
    return {
      rule: "export_failed",
      key: `export_failed:${r.type}`,
      severity: "warning",
      title: `${label} exports failing`,
      message: `${plural(r.n, "export")} of ${label} failed in the last ${EXPORT_FAILURES.windowHours} hours. Last error: ${clip(r.last_error) || "unknown"}`,
      entityType: "export_job",
      entityId: r.last_id,
      link: "/exports",
      details: { count: r.n, windowHours: EXPORT_FAILURES.windowHours, type: r.type, lastExportId: r.last_id, lastError: clip(r.last_error, 1000) || null },
      at: r.at,
    } satisfies Condition;
  });
}

const RULES: { rule: AlertRule; collect: () => Promise<Condition[]> }[] = [
  { rule: "needs_reconnect", collect: needsReconnect },
  { rule: "integration_error", collect: integrationErrors },
  { rule: "send_failures", collect: sendFailures },
  { rule: "webhook_failed", collect: webhookFailures },
  { rule: "payment_failed", collect: paymentFailures },
  { rule: "export_failed", collect: exportFailures },
  { rule: "subscription_past_due", collect: pastDueSubscriptions },
];

// ───────────── evaluation ─────────────

export type Evaluation = { opened: number; resolved: number; notified: number; skipped?: boolean };

/**
 * One pass over every rule: fire what holds, resolve what cleared, notify what opened. Safe to
 * run in several processes at once (evaluateAlerts() still runs one at a time): a rule that
 * fails to read is skipped whole, so its alerts are neither fired nor resolved on a guess.
 */
export async function runAlertRules(): Promise<Evaluation> {
  let opened = 0;
  let resolved = 0;
  for (const r of RULES) {
    const before = new Date();
    let found: Condition[];
    try {
      found = await r.collect();
    } catch (e) {
      logger.error({ rule: r.rule, err: (e as Error).message }, "alert rule failed");
      continue;
    }
    for (const c of found) {
      try {
        if ((await fireAlert(c))?.opened) opened++;
      } catch (e) {
        logger.error({ rule: r.rule, key: c.key, err: (e as Error).message }, "alert not fired");
      }
    }
    try {
      resolved += await resolveCleared(r.rule, found.map((c) => c.key), before);
    } catch (e) {
      logger.error({ rule: r.rule, err: (e as Error).message }, "cleared alerts not resolved");
    }
  }
  const notified = await notifyPending();
  if (opened || resolved || notified) logger.info({ opened, resolved, notified }, "alerts evaluated");
  return { opened, resolved, notified };
}

const LOCK = "alerts.evaluate";

/**
 * The workers' tick. One evaluation at a time across every process (a session advisory lock
 * tried, not waited for: a worker that finds another one evaluating skips its tick), so an
 * evaluation that read the tables earlier cannot resolve what a later one has just fired.
 */
export async function evaluateAlerts(): Promise<Evaluation> {
  const r = await withAdvisoryLock(LOCK, () => runAlertRules(), { wait: false });
  return r.acquired ? r.value : { opened: 0, resolved: 0, notified: 0, skipped: true };
}
