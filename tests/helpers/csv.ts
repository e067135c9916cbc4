// A strict CSV reader, as spreadsheets and Python's csv module read files: a CR, LF or CRLF
// outside quotes ends a record (csv-parse by default only splits on the first line ending it
// sees, so it would accept a bare LF inside an unquoted field), every record has the header's
// length, and quotes are never relaxed.
import { parse, type Options } from "csv-parse/sync";

export function parseCsvStrict<T = string[]>(input: string | Buffer, o: Options = {}): T[] {
  return parse(input, { ...o, record_delimiter: ["\r\n", "\n", "\r"], relax_column_count: false, relax_quotes: false }) as T[];
}
