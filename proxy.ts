// Optimistic redirect to the sign-in page for pages without a session cookie. This is only
// a convenience: every page and route checks the session and role on the server itself.
import { NextResponse, type NextRequest } from "next/server";

const PUBLIC = [/^\/login$/, /^\/invite\//];
const COOKIES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

export function proxy(req: NextRequest) {
  const { pathname, search } = req.nextUrl;
  if (PUBLIC.some((r) => r.test(pathname))) return NextResponse.next();
  const hasSession = req.cookies.getAll().some((c) => COOKIES.some((n) => c.name === n || c.name.startsWith(`${n}.`)));
  if (hasSession) return NextResponse.next();
  const url = req.nextUrl.clone();
  url.pathname = "/login";
  url.search = `?callbackUrl=${encodeURIComponent(pathname + search)}`;
  return NextResponse.redirect(url);
}

export const config = {
  // pages only: the API answers 401 in its own error shape, assets and next-auth are public
  matcher: ["/((?!api/|_next/|favicon.svg|.*\\.(?:svg|png|ico|txt)$).*)"],
};
