// The one set of CSV options every file the product writes uses (exports, SuiteDash import), and
// the one guard against formula injection (neutralize).
// RFC 4180: records end in CRLF, and a field is quoted when it holds the delimiter, a quote,
// CR or LF. csv-stringify quotes only the delimiter, quotes and the *record delimiter* by
// itself, so a lone LF inside a field (a message with a line break) would be written bare
// and split the row for a strict reader: `quoted_match` quotes any CR or LF as well.
import { stringify } from "csv-stringify/sync";

export type CsvOptions = { delimiter?: string; bom?: boolean };

export function csvRecords(records: unknown[][], o: CsvOptions = {}): string {
  return stringify(records, { delimiter: o.delimiter ?? ",", bom: o.bom ?? false, record_delimiter: "\r\n", quoted_match: /[\r\n]/ });
}

/** A cell starting with = + - @ (or a tab or CR) would be run as a formula by spreadsheets: make it text (OWASP CSV injection). */
export function neutralize(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}
