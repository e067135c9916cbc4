// Refused deliveries that name an object (WebhookSpec.subject): an area shows them on that
// object's timeline (a payment's "notification refused: 127.0.0.1 is not on the allow-list"),
// so a payment that never confirms says why where people look first.
import { pgPool } from "@/lib/pg";

export type RejectedDelivery = { id: string; receivedAt: Date; eventType: string; sourceIp: string | null; reason: string | null };

/** The integration's rejected deliveries about any of `subjects` (provider ids), oldest first. */
export async function rejectedDeliveriesAbout(integrationId: string, subjects: readonly (string | null | undefined)[], limit = 20): Promise<RejectedDelivery[]> {
  const ids = [...new Set(subjects.filter((s): s is string => !!s))];
  if (!ids.length) return [];
  const r = await pgPool().query<RejectedDelivery>(
    `select id, received_at as "receivedAt", event_type as "eventType", source_ip as "sourceIp", last_error as reason
       from webhook_events
      where integration_id = $1 and subject = any($2::text[]) and status = 'rejected'
      order by received_at
      limit $3`,
    [integrationId, ids, limit],
  );
  return r.rows;
}
