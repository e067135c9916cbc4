// Layout checks for the browser tests: an element's box lies inside its container's box, an
// element does not scroll sideways (its content is wider than it), a field is as wide as its
// own content needs. Boxes are measured by the browser (boundingBox), in CSS pixels.
import type { Locator, Page } from "@playwright/test";
import { expect } from "./fixtures";

export const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
] as const;

/** `child`'s box is inside `container`'s (within `tolerance` px on each side). */
export async function expectWithin(child: Locator, container: Locator, what = "the element", tolerance = 1, opts: { axis?: "x" | "both" } = {}) {
  const c = await child.boundingBox();
  const p = await container.boundingBox();
  expect(c, `${what} is laid out`).not.toBeNull();
  expect(p, `${what}'s container is laid out`).not.toBeNull();
  // axis "x": the container scrolls vertically on purpose (a side panel), only the sides count
  const vertical = opts.axis !== "x";
  const out = {
    left: Math.max(0, p!.x - c!.x),
    right: Math.max(0, c!.x + c!.width - (p!.x + p!.width)),
    top: vertical ? Math.max(0, p!.y - c!.y) : 0,
    bottom: vertical ? Math.max(0, c!.y + c!.height - (p!.y + p!.height)) : 0,
  };
  expect(out, `${what} sticks out of its container by (px)`).toEqual({
    left: out.left > tolerance ? out.left : 0,
    right: out.right > tolerance ? out.right : 0,
    top: out.top > tolerance ? out.top : 0,
    bottom: out.bottom > tolerance ? out.bottom : 0,
  });
  expect(Math.max(out.left, out.right, out.top, out.bottom), `${what} sticks out of its container`).toBeLessThanOrEqual(tolerance);
}

/** The element's content is no wider than the element (nothing cut off or scrolled sideways), and so for every descendant. */
export async function expectNoHorizontalOverflow(el: Locator, what = "the element") {
  const worst = await el.evaluate((root) => {
    const all = [root, ...Array.from(root.querySelectorAll<HTMLElement>("*"))];
    const bad: string[] = [];
    for (const e of all) {
      const cs = getComputedStyle(e);
      // text cut with an ellipsis on purpose is not an overflow
      if (cs.textOverflow === "ellipsis" && cs.overflowX === "hidden") continue;
      if (e instanceof HTMLInputElement || e instanceof HTMLTextAreaElement || e instanceof HTMLSelectElement) continue;
      if (e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0) bad.push(`${e.tagName.toLowerCase()}${e.getAttribute("data-testid") ? `[data-testid=${e.getAttribute("data-testid")}]` : ""}: ${e.scrollWidth} px of content in ${e.clientWidth} px`);
    }
    return bad;
  });
  expect(worst, `${what} has content wider than itself`).toEqual([]);
}

/** Every descendant's box stays inside `container`'s box horizontally. */
export async function expectChildrenWithin(container: Locator, what = "the element") {
  const bad = await container.evaluate((root) => {
    const r = root.getBoundingClientRect();
    const out: string[] = [];
    // text cut with an ellipsis on purpose (truncate): what it hides is not sticking out
    const clipped = (e: Element) => {
      for (let a: Element | null = e.parentElement; a && a !== root.parentElement; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (cs.textOverflow === "ellipsis" && cs.overflowX !== "visible") return true;
      }
      return false;
    };
    for (const e of Array.from(root.querySelectorAll<HTMLElement>("*"))) {
      if (clipped(e)) continue;
      const b = e.getBoundingClientRect();
      if (!b.width || !b.height) continue;
      if (b.left < r.left - 1 || b.right > r.right + 1) {
        out.push(`${e.tagName.toLowerCase()} "${(e.textContent ?? "").trim().slice(0, 30)}": ${Math.round(b.left - r.left)}..${Math.round(b.right - r.left)} px in ${Math.round(r.width)} px`);
      }
    }
    return out.slice(0, 10);
  });
  expect(bad, `${what}: parts outside its box`).toEqual([]);
}

/** An input is at least as wide as it would be with room to spare (its own content: digits, the calendar button). */
export async function expectFieldFits(input: Locator, what = "the field") {
  const r = await input.evaluate((el) => {
    const probe = el.cloneNode(true) as HTMLInputElement;
    probe.style.cssText = "position:absolute;left:-10000px;top:0;width:max-content;min-width:0;max-width:none";
    probe.removeAttribute("id");
    document.body.appendChild(probe);
    const natural = probe.getBoundingClientRect().width;
    probe.remove();
    return { natural: Math.ceil(natural), actual: Math.floor(el.getBoundingClientRect().width) };
  });
  expect(r.actual, `${what} is ${r.actual} px wide, its content needs ${r.natural} px`).toBeGreaterThanOrEqual(r.natural - 1);
}

export async function setViewport(page: Page, v: { width: number; height: number }) {
  await page.setViewportSize(v);
}
