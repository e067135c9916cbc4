// The hosted pages sandboxes serve (payment checkouts, 3-D Secure): one HTML shell, each
// provider its own look, everything escaped.
export const escapeHtml = (s: unknown) =>
  String(s ?? "").replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

/** A plain page: a centred column, rounded buttons, `primary` for the main one. */
export function plainCss(opts: { radius: string; primary: string }) {
  return `body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#111}
.note{color:#555;font-size:.9rem}button{font-size:1rem;padding:.6rem 1.1rem;margin:.3rem .3rem 0 0;border-radius:${opts.radius};border:1px solid #333;background:#fff;cursor:pointer}
button.primary{${opts.primary}}fieldset{border:1px solid #ccc;border-radius:.5rem;padding:1rem}`;
}

/** (no icon of its own: the browser would ask the sandbox for /favicon.ico and log its 404 as a console error) */
export function hostedPage(title: string, body: string, css: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>${escapeHtml(title)}</title><style>${css}</style></head><body><main>${body}</main></body></html>`;
}
