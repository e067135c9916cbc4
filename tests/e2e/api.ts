// What a browser test sets up through the API as the signed-in user, before it works through
// the screens: the same requests the dashboard sends, each checked to have worked.
import type { Page } from "@playwright/test";
import { expect } from "./fixtures";

export type CreatedIntegration = { id: string; code: string; name: string; webhook: { url: string } | null };

/** POST /api/v1/integrations as the page's user; it must answer 201 (its body is shown when not). */
export async function createIntegration(page: Page, data: Record<string, unknown>): Promise<CreatedIntegration> {
  const res = await page.request.post("/api/v1/integrations", { data });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as CreatedIntegration;
}
