/**
 * A tenant's report: headline, what the last run changed, the trend, open findings with their
 * evidence, accepted risks, exclusions and the remediations done. One page for the MSP (with the
 * accept and revoke forms when the signed-in person may use them) and for the customer: its print
 * stylesheet hides every form and link, so the browser's "Save as PDF" is the customer document.
 * Pure: every value goes through `html`, which cleans and escapes it.
 */
import { CONTROLS, type Control } from "../controls/index.js";
import type { ControlId, FindingStatus } from "../model/findings.js";
import { acceptanceIndex, findingKey, isOpenFinding, type Acceptance, type FindingEventKind, type StoredFinding } from "../model/stored.js";
import type { TenantSummary } from "../model/summary.js";
import { accountOf, evidenceRows } from "./evidence.js";
import { html, type SafeHtml } from "./html.js";
import { formatInstant, formatStoredInstant } from "./instant.js";
import { renderPage, type RenderedPage, type Tone } from "./layout.js";
import type { RiskForms, TenantReportInput } from "./report-inputs.js";
import { REPORT_CSS } from "./report-style.js";
import { TREND_CSS, trendChart } from "./trend-chart.js";

const TENANT_REPORT_CSS = `
.finding{border-top:1px solid var(--line);padding:12px 0}
.finding h4{margin:0 0 6px;font-size:1rem;overflow-wrap:anywhere}
.finding .evidence{margin:6px 0}
details.accept{margin:8px 0 0}
details.accept summary{cursor:pointer;color:var(--brand);font-weight:600}
.field{margin:10px 0}
.field textarea{width:100%}
.ids{margin:0;padding-left:1.2em}
`;

/** The events "What changed" lists, in this order; `changed` (fail ↔ unknown) stays in the findings' history. */
const CHANGE_KINDS: readonly { readonly kind: FindingEventKind; readonly label: string; readonly tone: Tone }[] = [
  { kind: "new", label: "New", tone: "danger" },
  { kind: "reopened", label: "Reopened", tone: "danger" },
  { kind: "acceptance-expired", label: "Acceptance expired", tone: "warning" },
  { kind: "resolved", label: "Resolved", tone: "success" },
];

const STATUS_TONE: Partial<Record<FindingStatus, Tone>> = { fail: "danger", unknown: "warning" };

/** What the page looks findings up in: by (control, subject), and which of them are accepted. */
interface Lookup {
  readonly findings: ReadonlyMap<string, StoredFinding>;
  readonly accepted: ReadonlySet<string>;
}

export function tenantReportPage(input: TenantReportInput): RenderedPage {
  const lookup: Lookup = {
    findings: new Map(input.findings.map((f) => [findingKey(f), f])),
    accepted: new Set(acceptanceIndex(input.acceptances).keys()),
  };
  const body = html`<nav class="links" aria-label="Report links"><a href="${input.overviewHref}">All tenants</a><a href="${input.csvHref}">Download CSV</a><span class="muted">Signed in as ${input.signedInAs}</span></nav>
${input.notice && html`<div class="banner tone-${input.notice.tone}" role="${input.notice.tone === "danger" ? "alert" : "status"}"><p>${input.notice.text}</p></div>`}
${headline(input)}
${section("changes", "What changed in the last run", changesTable(input, lookup))}
${section("trend", "Trend", trendChart(input.summary?.trend ?? []))}
${section("findings", "Open findings", openFindings(input, lookup))}
${section("accepted", "Accepted risks", acceptedTable(input, lookup))}
${section("exclusions", "Excluded accounts", exclusionsList(input.exclusions))}
${section("work", "Work done", workDoneTable(input))}`;
  return renderPage({
    title: `Security report: ${input.displayName}`,
    section: "Tenant report",
    body,
    extraCss: REPORT_CSS + TREND_CSS + TENANT_REPORT_CSS,
  });
}

function section(id: string, title: string, content: SafeHtml): SafeHtml {
  return html`<section class="card" aria-labelledby="${id}"><h2 id="${id}">${title}</h2>
${content}
</section>`;
}

function headline(input: TenantReportInput): SafeHtml {
  const { summary } = input;
  return html`<section class="card" aria-labelledby="title">
<p class="eyebrow">Security report · ${formatInstant(input.now)}</p>
<h1 id="title">${input.displayName}</h1>
<p class="muted mono">${input.tenantId}</p>
${summary ? summaryFacts(summary) : html`<p>No scan of this tenant has finished yet.</p>`}
</section>`;
}

function summaryFacts(summary: TenantSummary): SafeHtml {
  const { openBySeverity: by, lastRun } = summary;
  return html`<dl class="facts">
<dt>Score</dt><dd>${summary.score === null ? "Not scored: no control could be judged" : html`<strong>${summary.score}</strong> out of 100`}</dd>
<dt>Open findings</dt><dd>${summary.open} <span class="pill high">high ${by.high}</span><span class="pill medium">medium ${by.medium}</span><span class="pill low">low ${by.low}</span></dd>
<dt>Accepted risks</dt><dd>${summary.accepted}</dd>
<dt>Last run</dt><dd>${lastRun ? html`${formatStoredInstant(lastRun.finishedAt)} · ${lastRun.status}${lastRun.reason ? html` (${lastRun.reason})` : null}` : "none yet"}</dd>
</dl>`;
}

function controlOf(id: ControlId): Control | undefined {
  return CONTROLS.find((c) => c.id === id);
}

/** Who or what a finding is about: display name and UPN from its evidence when known, else its id. */
function subjectHtml(subjectId: string | null, finding: StoredFinding | undefined): SafeHtml {
  if (subjectId === null) return html`Tenant-wide`;
  const account = finding ? accountOf(finding.detail) : { displayName: null, userPrincipalName: null };
  const upn = account.userPrincipalName;
  if (account.displayName) return html`${account.displayName}${upn ? html` <span class="mono">${upn}</span>` : null}`;
  return html`<span class="mono">${upn ?? subjectId}</span>`;
}

function changesTable(input: TenantReportInput, lookup: Lookup): SafeHtml {
  const rows = CHANGE_KINDS.flatMap(({ kind, label, tone }) =>
    input.lastRunEvents
      .filter((e) => e.event === kind)
      .map((e) => {
        const control = controlOf(e.control);
        return html`<tr><td><span class="pill ${tone}">${label}</span></td><td>${control?.title ?? e.control}</td><td>${subjectHtml(e.subjectId, lookup.findings.get(findingKey(e)))}</td></tr>`;
      }),
  );
  if (rows.length === 0) return html`<p>${input.summary?.lastRun ? "Nothing changed in the last run." : "No run yet."}</p>`;
  return html`<table><thead><tr><th scope="col">Change</th><th scope="col">Control</th><th scope="col">Subject</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

/** Listed as open: not resolved, failing or not judged, and not accepted. */
function isListedOpen(finding: StoredFinding, lookup: Lookup): boolean {
  return isOpenFinding(finding) && !lookup.accepted.has(findingKey(finding));
}

/** Failing before not judged, tenant-wide first, then by subject id, so the order is the same every time. */
function byStatusThenSubject(a: StoredFinding, b: StoredFinding): number {
  if (a.status !== b.status) return a.status === "fail" ? -1 : 1;
  return (a.subjectId ?? "").localeCompare(b.subjectId ?? "");
}

function openFindings(input: TenantReportInput, lookup: Lookup): SafeHtml {
  const open = input.findings.filter((f) => isListedOpen(f, lookup));
  if (open.length === 0) return html`<p>No open findings.</p>`;
  return html`${CONTROLS.map((control) => {
    const findings = open.filter((f) => f.control === control.id).sort(byStatusThenSubject);
    if (findings.length === 0) return null;
    return html`<h3>${control.title} <span class="pill ${control.severity}">${control.severity}</span></h3>
${findings.map((f, i) => findingItem(f, input.forms, `accept-${control.id}-${i}`))}`;
  })}`;
}

/** `formId`: unique on the page, for the form's labels. */
function findingItem(finding: StoredFinding, forms: RiskForms | undefined, formId: string): SafeHtml {
  const rows = evidenceRows({ control: finding.control, subjectId: finding.subjectId, evidence: finding.detail });
  return html`<div class="finding">
<h4>${subjectHtml(finding.subjectId, finding)} <span class="pill ${STATUS_TONE[finding.status] ?? "neutral"}">${finding.status}</span></h4>
<p class="muted">Open since ${formatInstant(finding.firstSeen)}</p>
${rows.length > 0 ? html`<table class="evidence"><tbody>${rows.map((row) => html`<tr><th scope="row">${row.label}</th><td>${row.value}</td></tr>`)}</tbody></table>` : null}
${forms && acceptForm(forms, finding, formId)}
</div>`;
}

/** The fields both forms post: which finding, and the CSRF token. */
function findingFields(forms: RiskForms, finding: { readonly control: ControlId; readonly subjectId: string | null }): SafeHtml {
  return html`<input type="hidden" name="${forms.csrfFieldName}" value="${forms.csrfValue}">
<input type="hidden" name="control" value="${finding.control}">
<input type="hidden" name="subjectId" value="${finding.subjectId ?? ""}">`;
}

function acceptForm(forms: RiskForms, finding: StoredFinding, id: string): SafeHtml {
  return html`<details class="accept"><summary>Accept risk</summary>
<form method="post" action="${forms.acceptAction}">
${findingFields(forms, finding)}
<div class="field"><label for="${id}-reason">Why the risk is accepted</label><textarea id="${id}-reason" name="reason" required maxlength="1000" rows="3"></textarea></div>
<div class="field"><label for="${id}-days">Accepted for (days, at most ${forms.maxDays})</label><input id="${id}-days" type="number" name="expiresInDays" min="1" max="${forms.maxDays}" value="${forms.defaultDays}" required></div>
<button type="submit" class="btn btn-link">Accept risk</button>
</form></details>`;
}

function acceptedTable(input: TenantReportInput, lookup: Lookup): SafeHtml {
  if (input.acceptances.length === 0) return html`<p>No accepted risks.</p>`;
  const { forms } = input;
  return html`<div class="scroll"><table><thead><tr><th scope="col">Control</th><th scope="col">Subject</th><th scope="col">Reason</th><th scope="col">Accepted by</th><th scope="col">Until</th>${forms ? html`<th scope="col" class="act">Action</th>` : null}</tr></thead>
<tbody>${input.acceptances.map((a) => acceptedRow(a, lookup, forms))}</tbody></table></div>`;
}

function acceptedRow(acceptance: Acceptance, lookup: Lookup, forms: RiskForms | undefined): SafeHtml {
  const title = controlOf(acceptance.control)?.title ?? acceptance.control;
  const subject = subjectHtml(acceptance.subjectId, lookup.findings.get(findingKey(acceptance)));
  return html`<tr><td>${title}</td><td>${subject}</td><td>${acceptance.reason}</td><td>${acceptance.acceptedBy} <span class="muted">${formatInstant(acceptance.acceptedAt)}</span></td><td>${formatInstant(acceptance.expiresAt)}</td>${
    forms &&
    html`<td class="act"><form method="post" action="${forms.revokeAction}">${findingFields(forms, acceptance)}<button type="submit" class="btn btn-link">Revoke<span class="vh"> the acceptance of ${title}: ${subject}</span></button></form></td>`
  }</tr>`;
}

function exclusionsList(exclusions: TenantReportInput["exclusions"]): SafeHtml {
  const ids = (list: readonly string[]): SafeHtml =>
    list.length === 0 ? html`None` : html`<ul class="ids">${list.map((id) => html`<li class="mono">${id}</li>`)}</ul>`;
  return html`<p>The controls skip these accounts (break-glass accounts, for example), so they never fail nor get remediated.</p>
<dl class="facts"><dt>Users</dt><dd>${ids(exclusions.userIds)}</dd><dt>Groups (their members)</dt><dd>${ids(exclusions.groupIds)}</dd></dl>`;
}

function workDoneTable(input: TenantReportInput): SafeHtml {
  if (input.workDone.length === 0) return html`<p>No remediation has run for this tenant.</p>`;
  return html`<table><thead><tr><th scope="col">Action</th><th scope="col">Outcome</th><th scope="col">Count</th><th scope="col">Last</th></tr></thead>
<tbody>${input.workDone.map((row) => html`<tr><td>${row.action}</td><td>${row.outcome}</td><td>${row.count}</td><td>${formatStoredInstant(row.last)}</td></tr>`)}</tbody></table>`;
}
