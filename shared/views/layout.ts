/**
 * The page shell: one stylesheet, inline (no external assets), allowed by its SHA-256 hash in the
 * Content-Security-Policy, so no inline `style=` attributes and no script anywhere. Works without
 * JavaScript, on a phone and a desktop.
 */
import { createHash } from "node:crypto";
import { html, trustedHtml, type SafeHtml } from "./html.js";

/** A rendered HTML document plus the CSP sources its <style> elements need. */
export interface RenderedPage {
  readonly html: string;
  /** `'sha256-…'` sources, one per <style> element. */
  readonly styleSources: readonly string[];
}

export type Tone = "neutral" | "success" | "danger" | "warning" | "info";

export interface PageOptions {
  readonly title: string;
  readonly body: SafeHtml;
  /** Shown beside the brand (e.g. "Approval request"). */
  readonly section?: string;
  /** Extra rules after the base stylesheet (dev pages). Our own constants only. */
  readonly extraCss?: string;
}

export const BASE_CSS = `
:root{--ink:#1b1f24;--muted:#5b6472;--line:#e3e7ee;--bg:#f4f6fa;--card:#fff;--brand:#2b4acb;
--ok:#147a3d;--ok-bg:#e7f6ec;--bad:#b42318;--bad-bg:#fdecea;--warn:#8a5a00;--warn-bg:#fff4dc;--info:#1d4f91;--info-bg:#e8f0fb;
--radius:14px;font-synthesis:none}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:var(--brand)}
.top{background:#111a33;color:#fff}
.top-inner{max-width:760px;margin:0 auto;padding:14px 20px;display:flex;align-items:center;gap:10px;font-weight:600;letter-spacing:.01em}
.top svg{width:22px;height:22px;flex:none}
.top .section{font-weight:400;opacity:.75;margin-left:auto;font-size:.9rem}
main{max-width:760px;margin:0 auto;padding:24px 16px 48px}
.card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);box-shadow:0 1px 2px rgba(16,24,40,.04),0 8px 24px rgba(16,24,40,.06);padding:28px 28px 24px;margin-bottom:20px}
.eyebrow{margin:0 0 6px;color:var(--muted);font-size:.85rem;text-transform:uppercase;letter-spacing:.06em;font-weight:600}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 10px;overflow-wrap:anywhere}
h2{font-size:1.05rem;margin:26px 0 10px}
.lead{font-size:1.05rem;color:#2c3440;margin:0 0 18px}
.muted{color:var(--muted)}
.mono,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;margin:0;padding:14px 16px;background:#f8f9fc;border:1px solid var(--line);border-radius:10px}
.facts dt{color:var(--muted);font-size:.9rem}
.facts dd{margin:0;overflow-wrap:anywhere}
table{width:100%;border-collapse:collapse;font-size:.95rem}
th,td{text-align:left;padding:9px 10px;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{color:var(--muted);font-weight:600;width:38%}
thead th{width:auto;font-size:.8rem;text-transform:uppercase;letter-spacing:.05em}
tr:last-child td,tr:last-child th{border-bottom:0}
.pill{display:inline-block;padding:2px 10px;border-radius:999px;font-size:.8rem;font-weight:600;background:#eef1f6;color:#344054;white-space:nowrap}
.pill.high,.pill.danger{background:var(--bad-bg);color:var(--bad)}
.pill.medium,.pill.warning{background:var(--warn-bg);color:var(--warn)}
.pill.low,.pill.info{background:var(--info-bg);color:var(--info)}
.pill.success{background:var(--ok-bg);color:var(--ok)}
.actions{display:flex;flex-wrap:wrap;gap:12px;margin:26px 0 8px}
.btn{appearance:none;border:2px solid transparent;border-radius:10px;padding:13px 22px;font:inherit;font-weight:650;cursor:pointer;min-height:48px;flex:1 1 200px;text-align:center;text-decoration:none;display:inline-block}
.btn:focus-visible{outline:3px solid #9db3ff;outline-offset:2px}
.btn-approve{background:var(--ok);color:#fff}
.btn-approve:hover{background:#0f6632}
.btn-reject{background:#fff;color:var(--bad);border-color:#f1b5ae}
.btn-reject:hover{background:var(--bad-bg)}
.btn-reject.chosen{background:var(--bad);color:#fff;border-color:var(--bad)}
.btn-approve.quiet{background:#fff;color:var(--ok);border-color:#a8d8b8}
.btn-approve.quiet:hover{background:var(--ok-bg)}
.btn-link{background:#fff;color:var(--brand);border-color:var(--line)}
.chosen-note{margin:18px 0 0;padding:10px 14px;border-radius:10px;background:var(--info-bg);color:var(--info);font-size:.95rem}
.banner{display:flex;gap:14px;align-items:flex-start;padding:18px;border-radius:12px;margin:0 0 18px}
.banner svg{width:28px;height:28px;flex:none;margin-top:2px}
.banner h1{margin:0 0 4px}
.banner p{margin:0}
.tone-success{background:var(--ok-bg);color:var(--ok)}
.tone-danger{background:var(--bad-bg);color:var(--bad)}
.tone-warning{background:var(--warn-bg);color:var(--warn)}
.tone-info{background:var(--info-bg);color:var(--info)}
.tone-neutral{background:#eef1f6;color:#344054}
.banner h1,.banner p{color:inherit}
.fine{font-size:.85rem;color:var(--muted);margin:14px 0 0}
footer{max-width:760px;margin:0 auto;padding:0 20px 32px;color:var(--muted);font-size:.8rem}
@media (max-width:560px){.card{padding:20px 16px;border-radius:12px}h1{font-size:1.35rem}.facts{grid-template-columns:1fr;gap:0 0}.facts dd{margin-bottom:8px}th{width:auto}.evidence th,.evidence td{display:block;padding:4px 2px}.evidence th{padding-top:10px;border-bottom:0}.btn{flex-basis:100%}}
@media (prefers-color-scheme:dark){:root{--ink:#e8ebf1;--muted:#a3acba;--line:#2c3340;--bg:#0f131a;--card:#171c25;--ok-bg:#11301d;--ok:#6fd69a;--bad-bg:#3a1714;--bad:#ff8f84;--warn-bg:#3a2c0c;--warn:#f3c55b;--info-bg:#132a47;--info:#9cc2ff}
.lead{color:#cfd5df}.facts{background:#131821}.pill{background:#232a36;color:#cfd5df}.btn-reject,.btn-approve.quiet,.btn-link{background:transparent}.btn-approve{background:#1f8a4c}.tone-neutral{background:#232a36;color:#cfd5df}}
`;

const SHIELD = trustedHtml(
  '<svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6z"/><path d="M8.5 12l2.5 2.5 4.5-5"/></svg>',
);

/** `'sha256-…'` CSP source for a <style> element with exactly this text. */
export function styleSource(css: string): string {
  return `'sha256-${createHash("sha256").update(css, "utf8").digest("base64")}'`;
}

export function renderPage(options: PageOptions): RenderedPage {
  const styles = [BASE_CSS, ...(options.extraCss ? [options.extraCss] : [])];
  const document = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex,nofollow">
<meta name="color-scheme" content="light dark">
<title>${options.title} · Tenant Patrol</title>
${styles.map((css) => html`<style>${trustedHtml(css)}</style>`)}
</head>
<body>
<header class="top"><div class="top-inner">${SHIELD}<span>Tenant Patrol</span>${options.section ? html`<span class="section">${options.section}</span>` : null}</div></header>
<main>
${options.body}
</main>
<footer>Tenant Patrol · keeps Microsoft 365 tenants hardened</footer>
</body>
</html>
`;
  return { html: document.toString(), styleSources: styles.map(styleSource) };
}
