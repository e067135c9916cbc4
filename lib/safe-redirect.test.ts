// The sign-in page sends the browser to `callbackUrl` after signing in: only places on this
// site may come out of safeCallbackPath, whatever tricks the value plays with the URL parser.
import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "@/lib/safe-redirect";

const ORIGIN = "https://hub.example.com";

// what a browser would do with the answer, on the sign-in page of ORIGIN
const landsOn = (path: string) => new URL(path, `${ORIGIN}/login`).origin;

describe("safeCallbackPath", () => {
  it("keeps paths on this site, with their query and fragment", () => {
    expect(safeCallbackPath("/logs?status=error#top", "/", ORIGIN)).toBe("/logs?status=error#top");
    expect(safeCallbackPath("/api/oauth/zoom/start?integrationId=1", "/", ORIGIN)).toBe("/api/oauth/zoom/start?integrationId=1");
    expect(safeCallbackPath("/", "/x", ORIGIN)).toBe("/");
    // an absolute URL of this very site becomes its path
    expect(safeCallbackPath(`${ORIGIN}/payments?x=1`, "/", ORIGIN)).toBe("/payments?x=1");
    // without a known origin the function still works on paths
    expect(safeCallbackPath("/messages")).toBe("/messages");
  });

  it("falls back on empty values", () => {
    expect(safeCallbackPath(undefined, "/home")).toBe("/home");
    expect(safeCallbackPath(null, "/home")).toBe("/home");
    expect(safeCallbackPath("", "/home")).toBe("/home");
  });

  // the classic open-redirect bypass list: each either falls back or becomes a harmless path here
  const bypasses = [
    "//evil.example",
    "///evil.example",
    "////evil.example/x",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "\\evil.example",
    "/.//evil.example",
    "/./\\evil.example",
    "%2f%2fevil.example",
    "/%2f%2fevil.example",
    "/%2F/evil.example",
    "/%09/evil.example",
    "/%5cevil.example",
    "https:evil.example",
    "https:/evil.example",
    "https:\\\\evil.example",
    "http://evil.example",
    "https://evil.example/login",
    "https://hub.example.com.evil.example/",
    "https://hub.example.com@evil.example/",
    "//hub.example.com@evil.example",
    " //evil.example",
    "\u0000//evil.example",
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "mailto:someone@evil.example",
    "http://[::1]/",
    "http://localhost/x",
  ];

  it.each(bypasses)("never leaves the site: %j", (value) => {
    const out = safeCallbackPath(value, "/fallback", ORIGIN);
    expect(out.startsWith("/"), out).toBe(true);
    expect(out.startsWith("//") || out.startsWith("/\\"), out).toBe(false);
    // eslint-disable-next-line no-control-regex -- the point: no control character may survive
    expect(/[\u0000-\u001f\\]/.test(out), out).toBe(false);
    expect(landsOn(out)).toBe(ORIGIN);
    // and the same without a configured origin
    const bare = safeCallbackPath(value, "/fallback");
    expect(bare.startsWith("//") || bare.startsWith("/\\"), bare).toBe(false);
    expect(landsOn(bare)).toBe(ORIGIN);
  });

  it("refuses the values that would leave the site rather than rewriting them", () => {
    for (const v of ["//evil.example", "/\t/evil.example", "/\n/evil.example", "/\\evil.example", "\\\\evil.example", "/.//evil.example", "javascript:alert(1)", "https://evil.example/"]) {
      expect(safeCallbackPath(v, "/fallback", ORIGIN), JSON.stringify(v)).toBe("/fallback");
    }
  });
});
