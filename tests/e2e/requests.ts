// What a page sends while a step runs: forms checked in the browser must send nothing while a
// field is wrong (issue 16 item 5).
import type { Page, Request } from "@playwright/test";

/** the API writes (method and path, GETs left out) a page makes while `fn` runs */
export async function requestsDuring(page: Page, fn: () => Promise<void>) {
  const seen: string[] = [];
  const onRequest = (r: Request) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/api/v1/") && r.method() !== "GET") seen.push(`${r.method()} ${u.pathname}`);
  };
  page.on("request", onRequest);
  try {
    await fn();
  } finally {
    page.off("request", onRequest);
  }
  return seen;
}

/** words that are the validator's or a developer's, never a person's */
export const RAW = /Invalid input|expected string|received undefined|Too small|Too big|>=|[A-Z]+_[A-Z_]{3,}/;
