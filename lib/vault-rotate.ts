// Re-encrypts every stored secret with the newest key of the ring, and reports which keys
// are still in use (a key can be removed from the ring once nothing uses it).
import pg from "pg";
import { ENCRYPTED_COLUMNS, decrypt, encrypt, envelopeKeyId, type VaultKey } from "@/lib/vault";

export type RotationReport = { reencrypted: number; byColumn: Record<string, number> };

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

export async function rotateAll(databaseUrl: string, ring: VaultKey[], batch = 500): Promise<RotationReport> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const newest = ring[0].id;
  const report: RotationReport = { reencrypted: 0, byColumn: {} };
  try {
    for (const col of ENCRYPTED_COLUMNS) {
      const t = ident(col.table);
      const c = ident(col.column);
      let done = 0;
      for (;;) {
        const rows = (
          await client.query<{ id: string; v: string }>(
            `select id::text as id, ${c} as v from ${t} where ${c} is not null and ${c} not like $1 order by id limit $2`,
            [`sbv1:${newest}:%`, batch],
          )
        ).rows;
        if (!rows.length) break;
        for (const r of rows) {
          const aad = col.aad(r.id);
          const next = encrypt(decrypt(r.v, aad, ring), aad, ring);
          // only if nobody changed it meanwhile (a concurrent save already used the new key)
          const u = await client.query(`update ${t} set ${c} = $1 where id = $2 and ${c} = $3`, [next, r.id, r.v]);
          done += u.rowCount ?? 0;
        }
      }
      report.byColumn[`${col.table}.${col.column}`] = done;
      report.reencrypted += done;
    }
  } finally {
    await client.end();
  }
  return report;
}

/** How many secrets each key id protects. */
export async function keyUsage(databaseUrl: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const usage: Record<string, number> = {};
  try {
    for (const col of ENCRYPTED_COLUMNS) {
      const rows = (await client.query<{ v: string }>(`select ${ident(col.column)} as v from ${ident(col.table)} where ${ident(col.column)} is not null`)).rows;
      for (const r of rows) {
        const id = envelopeKeyId(r.v) ?? "unknown";
        usage[id] = (usage[id] ?? 0) + 1;
      }
    }
  } finally {
    await client.end();
  }
  return usage;
}
