/**
 * What the report pages (fleet overview, tenant report) add to the base stylesheet: room for wide
 * tables, a filter row, text for screen readers only, and a print layout so the browser's
 * "Save as PDF" gives a clean customer document. Constants only: the CSP allows them by hash.
 */
export const REPORT_CSS = `
main,.top-inner,footer{max-width:1180px}
.vh{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.links{display:flex;flex-wrap:wrap;gap:8px 20px;margin:0 0 14px}
.filters{display:flex;flex-wrap:wrap;align-items:flex-end;gap:12px 16px;margin:0 0 18px;padding:14px 16px;background:#f8f9fc;border:1px solid var(--line);border-radius:10px}
.filters label,.field label{display:block;font-size:.85rem;color:var(--muted);font-weight:600}
.filters .check label{display:inline;margin-left:6px}
.filters .btn{flex:0 0 auto;min-height:40px;padding:8px 18px}
input,select,textarea{font:inherit;color:inherit;background:var(--card);border:1px solid var(--muted);border-radius:8px;padding:6px 8px;max-width:100%}
input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible,a:focus-visible{outline:3px solid #9db3ff;outline-offset:2px}
.scroll{overflow-x:auto}
.pill+.pill{margin-left:6px}
.act .btn{min-height:0;padding:6px 14px;white-space:nowrap;overflow-wrap:normal}
@media (prefers-color-scheme:dark){:root{--brand:#9db3ff}.filters{background:#131821}}
@media print{
:root{--ink:#000;--muted:#333;--line:#999;--bg:#fff;--card:#fff}
body{background:#fff;color:#000;font-size:10.5pt}
.top,footer,.links,.banner,.filters,form,details,.act{display:none!important}
main{max-width:none;padding:0}
.card{box-shadow:none;border:0;border-radius:0;padding:0;margin:0 0 16pt}
.facts{background:#fff}
tr,.finding,.facts,svg{break-inside:avoid}
h2,h3,h4{break-after:avoid}
a{color:#000;text-decoration:none}
.pill,[class*="tone-"]{background:#fff!important;color:#000!important;border:1px solid #000}
}
`;
