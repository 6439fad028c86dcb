/**
 * The tenant report (shared/views/tenant-report.ts): which findings it lists where, the last run's
 * changes, the trend chart, the accept and revoke forms (only when the signed-in person may use
 * them), hostile text escaped, and no inline style (the CSP allows hashed <style> elements only).
 */
import { describe, expect, it } from "vitest";
import type { FindingEvent } from "../../shared/model/stored.js";
import type { TrendPoint } from "../../shared/model/summary.js";
import { tenantReportPage } from "../../shared/views/tenant-report.js";
import { HOSTILE, NOW, acceptance, finding, reportInput, summary } from "./report-builders.js";

/** The markup of one section, from its heading to the end of its card. */
function sectionOf(page: string, heading: string): string {
  const start = page.indexOf(`>${heading}</h2>`);
  expect(start, heading).toBeGreaterThan(-1);
  return page.slice(start, page.indexOf("</section>", start));
}

function event(patch: Partial<FindingEvent>): FindingEvent {
  return {
    runId: "run-2026-12-05",
    control: "accounts.inactive-90",
    subjectId: "user-1",
    event: "new",
    statusBefore: null,
    statusAfter: "fail",
    at: NOW,
    ...patch,
  };
}

const trend = (opens: readonly number[]): TrendPoint[] =>
  opens.map((open, i) => ({ runId: `run-${i}`, asOf: new Date(Date.UTC(2026, 10, i + 1, 2)).toISOString(), open }));

describe("tenantReportPage", () => {
  it("heads the report with the score, the open findings by severity, the accepted count and the last run", () => {
    const page = tenantReportPage(
      reportInput({
        summary: summary("tid-contoso", {}, { score: 72, open: 5, openBySeverity: { high: 2, medium: 1, low: 2 }, accepted: 1 }),
      }),
    ).html;
    expect(page).toContain('<h1 id="title">Contoso</h1>');
    expect(page).toContain("<strong>72</strong> out of 100");
    expect(page).toContain(
      '<span class="pill high">high 2</span><span class="pill medium">medium 1</span><span class="pill low">low 2</span>',
    );
    expect(page).toContain("<dt>Accepted risks</dt><dd>1</dd>");
    expect(page).toContain("2026-12-05 02:10 UTC · completed");
    expect(page).toContain('<a href="../../api/tenants/tid-contoso/findings.csv">Download CSV</a>');
  });

  it("says when no scan has finished yet", () => {
    const page = tenantReportPage(reportInput({ summary: undefined })).html;
    expect(page).toContain("No scan of this tenant has finished yet.");
    expect(page).toContain("No run has judged the tenant yet.");
  });

  it("lists open findings by control with their evidence, not the resolved or passing ones", () => {
    const findings = [
      finding(),
      finding({ subjectId: "user-2", detail: { displayName: "Bob Gone" }, resolvedAt: new Date("2026-12-05T02:00:00Z") }),
      finding({
        control: "mfa.all-users",
        subjectId: null,
        status: "unknown",
        severity: "high",
        detail: { source: "conditionalAccessPolicies", reason: "license", message: "No P1" },
      }),
      finding({ control: "mfa.admins", subjectId: "user-3", status: "pass", detail: { displayName: "Carol Fine" } }),
    ];
    const open = sectionOf(tenantReportPage(reportInput({ findings })).html, "Open findings");
    expect(open).toContain("<h3>Enabled accounts inactive for 90 or more days");
    expect(open).toContain('<h4>Alice Admin <span class="mono">alice@contoso.com</span> <span class="pill danger">fail</span></h4>');
    expect(open).toContain('<th scope="row">Days inactive</th><td>120</td>');
    expect(open).toContain('<h4>Tenant-wide <span class="pill warning">unknown</span></h4>');
    expect(open).toContain("No licence for this data");
    expect(open).not.toContain("Bob Gone");
    expect(open).not.toContain("Carol Fine");
  });

  it("lists an accepted finding under accepted risks only", () => {
    const findings = [finding(), finding({ subjectId: "user-2", detail: { displayName: "Dave Accepted" } })];
    const page = tenantReportPage(reportInput({ findings, acceptances: [acceptance({ subjectId: "user-2" })] })).html;
    expect(sectionOf(page, "Open findings")).not.toContain("Dave Accepted");
    const accepted = sectionOf(page, "Accepted risks");
    expect(accepted).toContain("<td>Dave Accepted</td><td>Seasonal worker, back in spring</td><td>mallory@msp.example");
    expect(accepted).toContain("<td>2027-03-01 09:00 UTC</td>");
  });

  it("lists the last run's new, reopened, expired and resolved findings by name, else by subject id", () => {
    const lastRunEvents = [
      event({ event: "resolved", subjectId: "user-gone", statusBefore: "fail", statusAfter: "pass" }),
      event({}),
      event({ event: "changed", subjectId: "user-9", statusBefore: "fail", statusAfter: "unknown" }),
      event({ event: "acceptance-expired", control: "mfa.all-users", subjectId: null }),
    ];
    const changes = sectionOf(tenantReportPage(reportInput({ findings: [finding()], lastRunEvents })).html, "What changed in the last run");
    const rows = [...changes.matchAll(/<tr><td><span class="pill \w+">([^<]+)<\/span><\/td><td>([^<]+)<\/td><td>(.*?)<\/td><\/tr>/g)];
    expect(rows.map((m) => [m[1], m[2], m[3]])).toEqual([
      ["New", "Enabled accounts inactive for 90 or more days", 'Alice Admin <span class="mono">alice@contoso.com</span>'],
      ["Acceptance expired", "MFA is required of all users (security defaults or Conditional Access)", "Tenant-wide"],
      ["Resolved", "Enabled accounts inactive for 90 or more days", '<span class="mono">user-gone</span>'],
    ]);
  });

  it("draws one point per run of the trend, with a title, a description and an accessible name", () => {
    const page = tenantReportPage(reportInput({ summary: summary("tid-contoso", {}, { trend: trend([4, 9, 3, 0, 2]) }) })).html;
    const svg = page.slice(page.indexOf('<svg class="trend"'), page.indexOf("</svg>", page.indexOf('<svg class="trend"')));
    expect(svg).toContain('role="img" aria-label="Open findings after each of the last 5 runs"');
    expect(svg).toContain("<title>Open findings per run</title>");
    expect(svg).toContain("<desc>5 runs: 4 open findings on 2026-11-01 02:00 UTC, 2 on 2026-11-05 02:00 UTC; at most 9.</desc>");
    expect(svg.match(/<circle /g)).toHaveLength(5);
    expect(svg.match(/<polyline [^>]*points="([^"]+)"/)?.[1]?.split(" ")).toHaveLength(5);
    expect(svg).toContain("<title>2026-11-02 02:00 UTC: 9 open</title>");
  });

  it("draws the thirty runs a summary keeps", () => {
    const page = tenantReportPage(
      reportInput({ summary: summary("tid-contoso", {}, { trend: trend(Array.from({ length: 30 }, (_, i) => i)) }) }),
    ).html;
    expect(page.match(/<circle class="point"/g)).toHaveLength(30);
  });

  it("offers an accept form per open finding, posting the finding, the CSRF token, a reason and a duration", () => {
    const findings = [finding(), finding({ control: "mfa.all-users", subjectId: null, severity: "high", detail: {} })];
    const page = tenantReportPage(reportInput({ findings })).html;
    const forms = [...page.matchAll(/<form method="post" action="risks\/accept">([\s\S]*?)<\/form>/g)].map((m) => m[1] ?? "");
    expect(forms).toHaveLength(2);
    expect(forms[0]).toContain('<input type="hidden" name="__csrf" value="csrf-token-1">');
    expect(forms[0]).toContain('<input type="hidden" name="control" value="accounts.inactive-90">');
    expect(forms[0]).toContain('<input type="hidden" name="subjectId" value="user-1">');
    expect(forms[0]).toMatch(/<textarea id="[^"]+" name="reason" required maxlength="1000"/);
    expect(forms[0]).toMatch(/<input id="[^"]+" type="number" name="expiresInDays" min="1" max="365" value="90" required>/);
    expect(forms[1]).toContain('<input type="hidden" name="subjectId" value="">');
  });

  it("offers a revoke form per accepted risk", () => {
    const page = tenantReportPage(reportInput({ acceptances: [acceptance()] })).html;
    const revoke = page.match(/<form method="post" action="risks\/revoke">([\s\S]*?)<\/form>/)?.[1];
    expect(revoke).toContain('name="__csrf" value="csrf-token-1"');
    expect(revoke).toContain('name="control" value="accounts.inactive-90"');
    expect(revoke).toContain('name="subjectId" value="user-1"');
  });

  it("shows no form when the signed-in person may not accept risks", () => {
    const page = tenantReportPage(
      reportInput({ forms: undefined, findings: [finding()], acceptances: [acceptance({ subjectId: "user-2" })] }),
    ).html;
    expect(page).not.toMatch(/<form|<textarea|csrf-token/);
    expect(page).not.toContain("Action</th>");
  });

  it("labels every form control with a unique id", () => {
    const findings = [finding(), finding({ subjectId: "user-2" }), finding({ control: "mfa.admins", subjectId: "user-3" })];
    const page = tenantReportPage(reportInput({ findings })).html;
    const ids = [...page.matchAll(/<(?:input|textarea|select) id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    for (const id of ids) expect(page).toContain(`<label for="${id}">`);
    expect(page.match(/<input type="(?!hidden)/g) ?? []).toEqual([]);
  });

  it("keeps the exclusions and the work done visible", () => {
    const page = tenantReportPage(
      reportInput({
        exclusions: { userIds: ["break-glass-1"], groupIds: ["group-emergency"] },
        workDone: [{ action: "block-account", outcome: "done", count: 3, last: "2026-12-01T10:00:00Z" }],
      }),
    ).html;
    expect(sectionOf(page, "Excluded accounts")).toContain('<li class="mono">break-glass-1</li>');
    expect(sectionOf(page, "Excluded accounts")).toContain('<li class="mono">group-emergency</li>');
    expect(sectionOf(page, "Work done")).toContain("<tr><td>block-account</td><td>done</td><td>3</td><td>2026-12-01 10:00 UTC</td></tr>");
  });

  it("shows the notice with its tone", () => {
    const page = tenantReportPage(reportInput({ notice: { tone: "danger", text: "The reason is required." } })).html;
    expect(page).toContain('<div class="banner tone-danger" role="alert"><p>The reason is required.</p></div>');
  });

  it("escapes hostile names, reasons, evidence, notices and run reasons", () => {
    const findings = [
      finding({ detail: { displayName: HOSTILE, userPrincipalName: HOSTILE, userType: HOSTILE } }),
      finding({ subjectId: "user-2", detail: { displayName: HOSTILE } }),
    ];
    const page = tenantReportPage(
      reportInput({
        displayName: HOSTILE,
        findings,
        acceptances: [acceptance({ subjectId: "user-2", reason: HOSTILE, acceptedBy: HOSTILE })],
        lastRunEvents: [event({ subjectId: HOSTILE })],
        exclusions: { userIds: [HOSTILE], groupIds: [] },
        workDone: [{ action: HOSTILE, outcome: HOSTILE, count: 1, last: HOSTILE }],
        notice: { tone: "success", text: HOSTILE },
        summary: summary(
          "tid-contoso",
          {},
          { lastRun: { runId: "r", status: "failed", reason: HOSTILE, asOf: HOSTILE, finishedAt: HOSTILE } },
        ),
      }),
    ).html;
    expect(page).not.toMatch(/<img/i);
    expect(page).toContain("&lt;img src=x onerror=alert(1)&gt; &quot;Bobby&quot; &amp; Tables");
  });

  it("has no inline style attribute nor script, and a print stylesheet that hides the forms and links", () => {
    const page = tenantReportPage(
      reportInput({
        findings: [finding()],
        acceptances: [acceptance({ subjectId: "user-2" })],
        summary: summary("t", {}, { trend: trend([1, 2]) }),
      }),
    );
    expect(page.html).not.toMatch(/\sstyle\s*=/i);
    expect(page.html).not.toMatch(/<script/i);
    expect(page.styleSources).toHaveLength(2);
    expect(page.html).toMatch(/@media print\{[^@]*\.links,[^@]*form,details[^@]*display:none!important/);
  });

  it("uses headings in order, one h1 then h2 sections", () => {
    const page = tenantReportPage(reportInput({ findings: [finding()] })).html;
    const levels = [...page.matchAll(/<h([1-6])[ >]/g)].map((m) => Number(m[1]));
    expect(levels[0]).toBe(1);
    levels.slice(1).forEach((level, i) => expect(level - (levels[i] ?? 0)).toBeLessThanOrEqual(1));
  });
});
