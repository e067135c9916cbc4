// Phone numbers as calls are filed: E.164 (lib/phone.ts, the rule messaging sends by: national
// numbers read with MESSAGING_DEFAULT_COUNTRY), and the contact and driver each number
// belongs to. contacts.phone and drivers.phone are stored in E.164 by the CRM, so a lookup is
// an equality on the column; the few rows stored some other way ("+7 916 555-01-02") are read
// once per directory, normalized here and matched too.
import { pgPool } from "@/lib/pg";
import { normalizePhone } from "@/lib/phone";

const E164 = /^\+[1-9]\d{6,14}$/;

/** E.164 when the text is a phone number, else null (extension numbers, "Anonymous", empty). */
export function toE164(raw: string | null | undefined): string | null {
  if (!raw) return null;
  const t = raw.trim();
  if (E164.test(t)) return t;
  const n = normalizePhone(t);
  return n.ok ? n.value : null;
}

export type PartyMatch = { contactId: string | null; contactName: string | null; driverId: string | null; driverName: string | null };

type Row = { id: string; phone: string; name: string };

/**
 * Finds who numbers belong to. One directory per sync run: the irregular rows are read the
 * first time they are needed. When several contacts share a number the most recently updated
 * one wins (drivers likewise).
 */
export class PhoneDirectory {
  private irregular?: { contacts: Map<string, Row>; drivers: Map<string, Row> };

  private async loadIrregular() {
    if (this.irregular) return this.irregular;
    const pick = (rows: Row[]) => {
      const m = new Map<string, Row>();
      for (const r of rows) {
        const e = toE164(r.phone);
        if (e && !m.has(e)) m.set(e, r);
      }
      return m;
    };
    const [c, d] = await Promise.all([
      pgPool().query<Row>(
        `select id, phone, trim(first_name || ' ' || coalesce(last_name, '')) as name from contacts
          where phone is not null and phone !~ '^\\+[1-9][0-9]{6,14}$' order by updated_at desc limit 20000`,
      ),
      pgPool().query<Row>(`select id, phone, name from drivers where phone !~ '^\\+[1-9][0-9]{6,14}$' order by updated_at desc limit 20000`),
    ]);
    this.irregular = { contacts: pick(c.rows), drivers: pick(d.rows) };
    return this.irregular;
  }

  async lookup(numbers: (string | null | undefined)[]): Promise<Map<string, PartyMatch>> {
    const wanted = [...new Set(numbers.filter((n): n is string => !!n && E164.test(n)))];
    const out = new Map<string, PartyMatch>();
    if (!wanted.length) return out;
    const [c, d] = await Promise.all([
      pgPool().query<Row>(
        `select distinct on (phone) id, phone, trim(first_name || ' ' || coalesce(last_name, '')) as name from contacts
          where phone = any($1) order by phone, updated_at desc`,
        [wanted],
      ),
      pgPool().query<Row>(`select distinct on (phone) id, phone, name from drivers where phone = any($1) order by phone, updated_at desc`, [wanted]),
    ]);
    const contacts = new Map(c.rows.map((r) => [r.phone, r]));
    const drivers = new Map(d.rows.map((r) => [r.phone, r]));
    const missing = wanted.filter((n) => !contacts.has(n) || !drivers.has(n));
    const irregular = missing.length ? await this.loadIrregular() : undefined;
    for (const n of wanted) {
      const contact = contacts.get(n) ?? irregular?.contacts.get(n);
      const driver = drivers.get(n) ?? irregular?.drivers.get(n);
      if (contact || driver) {
        out.set(n, { contactId: contact?.id ?? null, contactName: contact?.name ?? null, driverId: driver?.id ?? null, driverName: driver?.name ?? null });
      }
    }
    return out;
  }
}
