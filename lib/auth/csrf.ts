// Cross-site request forgery: a page on another site making the browser send a change with our
// session cookie. SameSite=Lax keeps the cookie off most cross-site requests but not all (a
// top-level POST within two minutes of sign-in in some browsers, and any sibling subdomain is
// "same-site"), so lib/api.ts also checks where a session's unsafe request comes from:
// - Origin present: it must be this site (NEXTAUTH_URL, PUBLIC_BASE_URL, or the host the
//   browser addressed: Host, or with TRUST_PROXY=true the proxy's X-Forwarded-Host); "null"
//   (sandboxed frames, redirects across sites) is refused;
// - no Origin: Sec-Fetch-Site must be same-origin or none (a typed address, a bookmark);
// - neither header: allowed. Every browser that could be tricked sends Origin on a cross-site
//   POST, PUT, PATCH or DELETE (fetch and forms alike); a request with neither header comes
//   from a non-browser client holding the cookie itself, which no other site can drive.
// API keys are not cookies and are not checked.
import { env } from "@/lib/env";
import { ApiError } from "@/lib/errors";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

function hostOf(value: string | null | undefined): string | null {
  const v = value?.split(",").pop()?.trim().toLowerCase();
  return v || null;
}

function isThisSite(origin: string, req: Request): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // "null" and other non-URLs
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return false;
  const e = env();
  if (url.origin === originOf(e.NEXTAUTH_URL) || url.origin === originOf(e.PUBLIC_BASE_URL)) return true;
  const hosts = [hostOf(req.headers.get("host")), hostOf(originOf(req.url) && new URL(req.url).host)];
  if (e.TRUST_PROXY) hosts.push(hostOf(req.headers.get("x-forwarded-host")));
  return hosts.includes(url.host.toLowerCase());
}

/** Why this request looks cross-site (for the message), or null when it may go on. */
export function crossSiteReason(req: Request): string | null {
  if (SAFE.has(req.method.toUpperCase())) return null;
  const origin = req.headers.get("origin");
  if (origin !== null) return isThisSite(origin, req) ? null : `it came from ${origin.slice(0, 200)}`;
  const site = req.headers.get("sec-fetch-site")?.trim().toLowerCase();
  if (site && site !== "same-origin" && site !== "none") return `the browser marked it ${site}`;
  return null;
}

/** 403 csrf for a session's unsafe request from another site. */
export function refuseCrossSite(req: Request): void {
  const why = crossSiteReason(req);
  if (!why) return;
  throw new ApiError(
    403,
    "csrf",
    `This change was sent from another site (${why}), so it was refused: changes made with your sign-in must come from Switchboard's own pages. Integrations send an API key instead.`,
  );
}
