// The workers' integration maintenance tick (OAUTH_MAINTENANCE_SECONDS): OAuth tokens refreshed
// before they expire and at least every OAUTH_REFRESH_EVERY_HOURS, Google push channels and
// RingCentral webhook subscriptions renewed before they lapse, expired Idempotency-Keys deleted.
// Each part locks what it works on, so every worker may run the tick.
import { db } from "@/lib/db";
import { logger } from "@/lib/logger";
import { sweepIdempotencyKeys } from "@/lib/idempotency";
import { getProvider } from "@/lib/providers/registry";
import { buildContext } from "@/lib/integrations/service";
import { refreshDueTokens } from "@/lib/oauth/tokens";
import { renewCalendarChannels } from "@/lib/calendar/maintenance";
import { renewRingCentralSubscriptions } from "@/lib/telephony/maintenance";

async function contextFor(integrationId: string) {
  const row = await db.integration.findUnique({ where: { id: integrationId } });
  const def = row && getProvider(row.provider);
  if (!row || !def) return null;
  return { ctx: buildContext(row), def };
}

export async function runIntegrationMaintenance() {
  const tokens = await refreshDueTokens(contextFor);
  const channels = await renewCalendarChannels().catch((e) => (logger.warn({ err: (e as Error).message }, "calendar channel renewal failed"), 0));
  const subscriptions = await renewRingCentralSubscriptions().catch((e) => (logger.warn({ err: (e as Error).message }, "ringcentral subscription renewal failed"), 0));
  // expired Idempotency-Keys (lib/idempotency.ts): a key is remembered for 24 h
  const idempotencyKeys = await sweepIdempotencyKeys().catch((e) => (logger.warn({ err: (e as Error).message }, "idempotency key sweep failed"), 0));
  if (tokens.refreshed || tokens.failed || channels || subscriptions || idempotencyKeys) logger.info({ ...tokens, channels, subscriptions, idempotencyKeys }, "integration maintenance");
  return { ...tokens, channels, subscriptions, idempotencyKeys };
}
