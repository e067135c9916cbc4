// The floor for the webhook ingest benchmark: a bare node:http server that reads the body and
// inserts the same row into the same table of the same PostgreSQL (one statement, a pool of
// the same size as the app's: PG_POOL_MAX), then answers 200. No framework, no verification, no queue.
import http from "node:http";
import { randomUUID } from "node:crypto";
import pg from "pg";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.PG_POOL_MAX ?? 10) });
const integrationId = process.env.FLOOR_INTEGRATION_ID!;
const sql = `insert into webhook_events
    (id, integration_id, provider, event_type, external_id, idempotency_key, status, payload, headers,
     source_ip, path, signature_verified, verification, max_retries, queued_at)
  values ($1, $2, 'generic-webhook', $3, $4, $5, 'pending', $6::jsonb, $7::jsonb, $8, $9, false, 'none', 5, now())
  on conflict (integration_id, idempotency_key) do update set duplicates = webhook_events.duplicates + 1
  returning id`;

const server = http.createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString("utf8");
  try {
    const e = JSON.parse(body) as { id: string; type: string };
    const r = await pool.query(sql, [randomUUID(), integrationId, e.type, e.id, `id:${e.id}`, body, JSON.stringify(req.headers), req.socket.remoteAddress, req.url]);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ received: true, id: r.rows[0].id }));
  } catch (err) {
    res.writeHead(500);
    res.end(String((err as Error).message));
  }
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => process.send?.({ ready: true }));
process.on("disconnect", () => process.exit(0));
