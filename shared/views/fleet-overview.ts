/**
 * The fleet overview: every tenant × every control at a glance, filtered and sorted by the query
 * (?failing=1&control=&name=&sort=) without script. Pure: the view filters and sorts the tenants it
 * is given (filterAndSort), so those rules are unit-tested here. An MSP may have 1,000 tenants, so a
 * cell is one short element: its state as a word (never colour alone) and a tone class.
 */
import { CONTROLS, type Control } from "../controls/index.js";
import type { ControlId } from "../model/findings.js";
import type { TenantSummary } from "../model/summary.js";
import { html, trustedHtml, truncate, type SafeHtml } from "./html.js";
import { formatInstant, formatStoredInstant } from "./instant.js";
import { renderPage, type RenderedPage, type Tone } from "./layout.js";
import {
  OVERVIEW_SORTS,
  type FleetOverviewInput,
  type GridCell,
  type OverviewFilter,
  type OverviewSort,
  type OverviewTenant,
} from "./report-inputs.js";
import { REPORT_CSS } from "./report-style.js";

const TITLE = "Fleet overview";

/** Column headers: the full titles are too long for nine columns (they are in each <abbr> and the legend). */
const SHORT_TITLES: Readonly<Record<ControlId, string>> = {
  "accounts.inactive-30": "Inactive 30 d",
  "accounts.inactive-90": "Inactive 90 d",
  "mfa.admins": "Admin MFA",
  "mfa.all-users": "User MFA",
  "auth.legacy-blocked": "Legacy auth",
  "password.sspr-enabled": "SSPR",
  "password.never-expire": "Password expiry",
  "apps.user-consent": "App consent",
  "roles.global-admin-count": "Global admins",
};

const CELLS: Readonly<Record<GridCell, { readonly tone: Tone; readonly word: string; readonly meaning: string }>> = {
  fail: { tone: "danger", word: "fail", meaning: "an open finding, not accepted" },
  unknown: { tone: "warning", word: "unknown", meaning: "could not be judged (the reason follows)" },
  accepted: { tone: "info", word: "accepted", meaning: "every open finding is an accepted risk" },
  pass: { tone: "success", word: "pass", meaning: "nothing open" },
  none: { tone: "neutral", word: "no scan", meaning: "no scan has judged this control yet" },
};

/** What each sort puts first (the select's options say it, so no header needs a direction toggle). */
const SORT_LABELS: Readonly<Record<OverviewSort, string>> = {
  name: "Name (A–Z)",
  score: "Score (lowest first)",
  open: "Open findings (most first)",
  "last-run": "Last run (oldest first)",
};

const ARIA_SORT: Readonly<Record<OverviewSort, "ascending" | "descending">> = {
  name: "ascending",
  score: "ascending",
  open: "descending",
  "last-run": "ascending",
};

const OVERVIEW_CSS = `
.stats{display:flex;flex-wrap:wrap;gap:8px 24px;list-style:none;padding:0;margin:0 0 16px}
.stats strong{font-size:1.3rem}
.fleet{font-size:.85rem}
.fleet th,.fleet td{padding:6px 8px;overflow-wrap:normal}
.fleet td[class^="tone-"]{white-space:nowrap}
.fleet th{width:auto}
.fleet thead th{text-transform:none;letter-spacing:0;vertical-align:bottom}
.fleet tbody th{min-width:12ch;max-width:26ch;overflow-wrap:break-word}
.fleet td small{display:block;white-space:normal;max-width:16ch}
.fleet td[class^="tone-"]::before{font-weight:700}
.fleet .tone-danger::before{content:"\\2717\\00a0";content:"\\2717\\00a0"/""}
.fleet .tone-success::before{content:"\\2713\\00a0";content:"\\2713\\00a0"/""}
.fleet .tone-warning::before{content:"?\\00a0";content:"?\\00a0"/""}
.fleet .tone-info::before{content:"\\2248\\00a0";content:"\\2248\\00a0"/""}
.fleet abbr{text-decoration:none}
`;

/** The state of one control in one tenant: `none` until a scan has judged it. */
export function cellOf(summary: TenantSummary | undefined, control: ControlId): GridCell {
  // A summary written before a control existed has no entry for it.
  return summary?.controls[control]?.state ?? "none";
}

/** Failing `control` when one is given, else failing any control. */
export function isFailing(tenant: OverviewTenant, control: ControlId | null): boolean {
  const ids = control ? [control] : CONTROLS.map((c) => c.id);
  return ids.some((id) => cellOf(tenant.summary, id) === "fail");
}

const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });

const byName = (a: OverviewTenant, b: OverviewTenant): number =>
  collator.compare(a.displayName, b.displayName) || a.tenantId.localeCompare(b.tenantId);

/** Tenants without the value (no scan, no score) after every tenant with one, whichever the direction. */
function withValuesFirst(a: number | null, b: number | null, direction: 1 | -1): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return (a - b) * direction;
}

/** A never-run tenant is the stalest of all. */
const lastRunTime = (t: OverviewTenant): number =>
  t.summary?.lastRun ? Date.parse(t.summary.lastRun.finishedAt) || 0 : Number.NEGATIVE_INFINITY;

const COMPARATORS: Readonly<Record<OverviewSort, (a: OverviewTenant, b: OverviewTenant) => number>> = {
  name: byName,
  score: (a, b) => withValuesFirst(a.summary?.score ?? null, b.summary?.score ?? null, 1) || byName(a, b),
  open: (a, b) => withValuesFirst(a.summary?.open ?? null, b.summary?.open ?? null, -1) || byName(a, b),
  "last-run": (a, b) => lastRunTime(a) - lastRunTime(b) || byName(a, b),
};

/** The tenants the filter keeps, in its sort order (ties by name, then tenant id, so the order is stable). */
export function filterAndSort(tenants: readonly OverviewTenant[], filter: OverviewFilter): OverviewTenant[] {
  const name = filter.name.trim().toLocaleLowerCase();
  return tenants
    .filter((t) => (!filter.failingOnly || isFailing(t, filter.control)) && t.displayName.toLocaleLowerCase().includes(name))
    .sort(COMPARATORS[filter.sort]);
}

export interface OverviewCounts {
  readonly shown: number;
  readonly total: number;
  /** Tenants failing any control. */
  readonly failing: number;
  /** Tenants whose last run failed. */
  readonly lastRunFailed: number;
}

export function overviewCounts(tenants: readonly OverviewTenant[], shown: number): OverviewCounts {
  return {
    shown,
    total: tenants.length,
    failing: tenants.filter((t) => isFailing(t, null)).length,
    lastRunFailed: tenants.filter((t) => t.summary?.lastRun?.status === "failed").length,
  };
}

/** The overview's query string for `filter`: the filter form's fields, so a sort link keeps the other filters. */
export function overviewQuery(filter: OverviewFilter): string {
  const params = new URLSearchParams();
  if (filter.failingOnly) params.set("failing", "1");
  if (filter.control) params.set("control", filter.control);
  if (filter.name) params.set("name", filter.name);
  params.set("sort", filter.sort);
  return `?${params.toString()}`;
}

export function fleetOverviewPage(input: FleetOverviewInput): RenderedPage {
  const shown = filterAndSort(input.tenants, input.filter);
  // A chosen control narrows the grid to its column: "failing" then means failing that control.
  const controls = input.filter.control ? CONTROLS.filter((c) => c.id === input.filter.control) : CONTROLS;
  const body = html`<section class="card" aria-labelledby="title">
<p class="eyebrow">Reports · ${formatInstant(input.now)} · signed in as ${input.signedInAs}</p>
<h1 id="title">${TITLE}</h1>
${countsList(overviewCounts(input.tenants, shown.length))}
${filterForm(input.filter)}
${shown.length === 0 ? html`<p>No tenant matches these filters. <a href="?">Show every tenant</a></p>` : grid(shown, controls, input)}
${legend(controls)}
</section>`;
  return renderPage({ title: TITLE, section: "Reports", body, extraCss: REPORT_CSS + OVERVIEW_CSS });
}

function countsList(counts: OverviewCounts): SafeHtml {
  return html`<ul class="stats">
<li><strong>${counts.shown}</strong> of ${counts.total} tenants shown</li>
<li><strong>${counts.failing}</strong> failing a control</li>
<li><strong>${counts.lastRunFailed}</strong> whose last run failed</li>
</ul>`;
}

const flag = (on: boolean, attribute: "checked" | "selected"): SafeHtml | null => (on ? trustedHtml(` ${attribute}`) : null);

function filterForm(filter: OverviewFilter): SafeHtml {
  return html`<form method="get" class="filters" role="search" aria-label="Filter and sort the tenants">
<div><label for="f-name">Tenant name</label><input id="f-name" type="search" name="name" value="${filter.name}"></div>
<div><label for="f-control">Control</label><select id="f-control" name="control"><option value="">All controls</option>${CONTROLS.map(
    (c) => html`<option value="${c.id}"${flag(c.id === filter.control, "selected")}>${c.title}</option>`,
  )}</select></div>
<div><label for="f-sort">Sort by</label><select id="f-sort" name="sort">${OVERVIEW_SORTS.map(
    (sort) => html`<option value="${sort}"${flag(sort === filter.sort, "selected")}>${SORT_LABELS[sort]}</option>`,
  )}</select></div>
<div class="check"><input id="f-failing" type="checkbox" name="failing" value="1"${flag(filter.failingOnly, "checked")}><label for="f-failing">Failing only</label></div>
<button type="submit" class="btn btn-link">Apply</button>
<a href="?">Clear filters</a>
</form>`;
}

function grid(tenants: readonly OverviewTenant[], controls: readonly Control[], input: FleetOverviewInput): SafeHtml {
  const header = (label: string, sort: OverviewSort): SafeHtml =>
    html`<th scope="col"${sort === input.filter.sort ? html` aria-sort="${ARIA_SORT[sort]}"` : null}><a href="${overviewQuery({ ...input.filter, sort })}">${label}</a></th>`;
  return html`<div class="scroll" role="region" aria-label="Tenants by control" tabindex="0"><table class="fleet">
<thead><tr>${header("Tenant", "name")}${header("Score", "score")}${header("Open", "open")}<th scope="col">Last run changes</th>${header("Last run", "last-run")}${controls.map(
    (c) => html`<th scope="col"><abbr title="${c.title}">${SHORT_TITLES[c.id]}</abbr></th>`,
  )}</tr></thead>
<tbody>
${tenants.map((tenant) => tenantRow(tenant, controls, input.reportHref(tenant.tenantId)))}
</tbody></table></div>`;
}

function tenantRow(tenant: OverviewTenant, controls: readonly Control[], reportHref: string): SafeHtml {
  const { summary } = tenant;
  return html`<tr><th scope="row"><a href="${reportHref}">${truncate(tenant.displayName, 60)}</a></th><td>${summary?.score ?? "–"}</td><td>${summary?.open ?? "–"}</td><td>${changesText(summary)}</td><td>${lastRunCell(summary)}</td>${controls.map((c) => gridCell(summary, c.id))}</tr>
`;
}

function gridCell(summary: TenantSummary | undefined, control: ControlId): SafeHtml {
  const cell = cellOf(summary, control);
  const reason = cell === "unknown" ? summary?.controls[control].reason : null;
  return html`<td class="tone-${CELLS[cell].tone}">${CELLS[cell].word}${reason ? html` <small>${truncate(reason, 40)}</small>` : null}</td>`;
}

/** What the last run changed: new and reopened findings, resolved ones. */
function changesText(summary: TenantSummary | undefined): string {
  if (!summary?.lastRun) return "–";
  const opened = (summary.changes.new ?? 0) + (summary.changes.reopened ?? 0);
  const resolved = summary.changes.resolved ?? 0;
  if (opened === 0 && resolved === 0) return "none";
  return [opened > 0 ? `+${opened} new` : null, resolved > 0 ? `−${resolved} resolved` : null].filter(Boolean).join(", ");
}

function lastRunCell(summary: TenantSummary | undefined): SafeHtml {
  const run = summary?.lastRun;
  if (!run) return html`<span class="muted">never</span>`;
  const when = formatStoredInstant(run.finishedAt);
  if (run.status === "completed") return html`${when}`;
  const tone = run.status === "failed" ? "danger" : "warning";
  return html`${when} <span class="pill ${tone}">${run.status}</span>${run.reason ? html` <small>${truncate(run.reason, 60)}</small>` : null}`;
}

function legend(controls: readonly Control[]): SafeHtml {
  return html`<h2>Legend</h2>
<dl class="facts">
${controls.map((c) => html`<dt>${SHORT_TITLES[c.id]}</dt><dd>${c.title} <span class="pill ${c.severity}">${c.severity}</span></dd>`)}
${Object.values(CELLS).map((cell) => html`<dt>${cell.word}</dt><dd>${cell.meaning}</dd>`)}
</dl>`;
}
