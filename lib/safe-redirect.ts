// Where the browser may be sent after signing in. The value is resolved the way a browser
// resolves it (WHATWG URL: tabs and newlines dropped, backslashes read as slashes, "." and ".."
// segments collapsed), against this site's origin; only a result on that same origin is kept,
// and only its path, query and fragment come back. Text checks such as "starts with / but not
// //" are not enough: "/\t/evil.example" passes them and the browser goes to //evil.example.

// stands in for the site when the caller does not know its origin (only same-origin paths pass)
const PLACEHOLDER = "http://switchboard.invalid";

function originOf(value: string | undefined): string {
  if (!value) return PLACEHOLDER;
  try {
    return new URL(value).origin;
  } catch {
    return PLACEHOLDER;
  }
}

/**
 * A path on this site ("/logs?x=1#y") or `fallback`. `origin` (e.g. NEXTAUTH_URL) lets an
 * absolute URL of this very site through as its path; anything on another origin, another
 * scheme (javascript:, data:) or a path the browser would read as another host falls back.
 */
export function safeCallbackPath(value: string | null | undefined, fallback = "/", origin?: string): string {
  if (!value) return fallback;
  const base = originOf(origin);
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  const path = url.pathname + url.search + url.hash;
  // "/.//evil.example" resolves to the path "//evil.example", which a browser reads as a host
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return fallback;
  // belt and braces: the answer itself must resolve back onto this origin
  if (new URL(path, base).origin !== base) return fallback;
  return path;
}
