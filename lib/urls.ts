// Where people and providers reach this instance: the Settings page's public base URL when an
// admin set one, else PUBLIC_BASE_URL, else NEXTAUTH_URL, else the request's origin. Invitation
// links and the webhook URLs shown to admins are built from it, and inbound webhook signatures
// over the URL (Twilio) are checked against it. Synchronous: the setting comes from the
// settings cache (lib/settings), which the first read of any setting fills.
import { cachedSettings } from "@/lib/settings";

export type PublicBaseUrlSource = "setting" | "PUBLIC_BASE_URL" | "NEXTAUTH_URL" | "request" | "default";

/** The base URL and where it came from (the Settings page says which). */
export function publicBaseUrlSource(req?: { url: string }): { url: string; source: PublicBaseUrlSource } {
  const set = cachedSettings().publicBaseUrl;
  if (set) return { url: set, source: "setting" };
  const [url, source]: [string, PublicBaseUrlSource] = process.env.PUBLIC_BASE_URL
    ? [process.env.PUBLIC_BASE_URL, "PUBLIC_BASE_URL"]
    : process.env.NEXTAUTH_URL
      ? [process.env.NEXTAUTH_URL, "NEXTAUTH_URL"]
      : req
        ? [new URL(req.url).origin, "request"]
        : ["http://localhost:3000", "default"];
  return { url: url.replace(/\/$/, ""), source };
}

export function publicBaseUrl(req?: { url: string }) {
  return publicBaseUrlSource(req).url;
}
