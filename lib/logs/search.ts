// What the logs page's text filter searches, and how a query becomes an indexable predicate.

/** Lower-cased action, URL without scheme and host, error and related id. Short on purpose:
 *  it is kept in the time index, and every byte is scanned by common-word searches. */
export function searchText(parts: { action: string; url?: string | null; error?: string | null; relatedId?: string | null }) {
  let path = parts.url ?? "";
  try {
    if (path) {
      const u = new URL(path);
      path = `${u.pathname}${u.search}`;
    }
  } catch {
    /* not absolute: keep as is */
  }
  return [parts.action, path, parts.error ?? "", parts.relatedId ?? ""].filter(Boolean).join(" ").toLowerCase().slice(0, 500);
}

/**
 * The word of a query the trigram index should look up: the longest run of letters and
 * digits (the most selective in practice: "1042" rather than "app" in "APP-1042").
 * The whole query is then checked as a plain substring.
 */
export function indexWord(query: string): string {
  const words = query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.reduce((best, w) => (w.length > best.length ? w : best), "");
}
