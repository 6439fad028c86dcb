/**
 * The approval digest: one email per tenant and run listing every new request, grouped by control,
 * each with its evidence and its own Approve / Reject links. HTML with inline styles only (mail
 * clients drop <style> and external CSS), one column, so it reads the same on a phone and a desktop.
 *
 * Everything that comes from Graph or storage (display names, UPNs, domains, role names, the tenant
 * name) goes through `html`, which escapes it, after displayText has removed control and bidi
 * characters. The links are the only URLs, and only http(s) ones are accepted.
 *
 * Plain text: Graph's JSON sendMail carries one body, so a multipart/alternative message is not
 * possible through it. The email is sent as HTML (which degrades to readable text: semantic
 * headings and tables, buttons with visible words); `text` is the same content as plain text for
 * logs, the CLI and tests.
 */
import { CONTROLS } from "../controls/index.js";
import type { TenantGraph } from "../graph/client.js";
import { mailAddresses, sendMail } from "../graph/send-mail.js";
import { CONTROL_IDS, type ControlId, type Severity } from "../model/findings.js";
import type { TenantRecord } from "../model/tenant.js";
import type { RemediationAction } from "../model/remediation.js";
import { accountOf, evidenceRows, type EvidenceRow } from "../views/evidence.js";
import { displayText, html, trustedHtml, truncate, type SafeHtml } from "../views/html.js";
import { formatInstant } from "../views/instant.js";
import type { Approval } from "../model/approval.js";

/** What a link preselects on the confirmation page (`?decision=`). Opening a link never decides. */
export type LinkDecision = "approve" | "reject";

/** Path of the approval page under PUBLIC_BASE_URL (the Functions host's default `api` prefix). */
export const APPROVAL_PAGE_PATH = "api/approvals";

/** `${publicBaseUrl}/api/approvals/${token}?decision=approve|reject`. */
export function approvalLink(publicBaseUrl: string, token: string, decision: LinkDecision): string {
  const base = publicBaseUrl.replace(/\/+$/, "");
  return `${base}/${APPROVAL_PAGE_PATH}/${encodeURIComponent(token)}?decision=${decision}`;
}

/** The tenant's report (functions/report-pages.ts), for the digest's "see the whole picture" link. */
export function tenantReportLink(publicBaseUrl: string, tenantId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, "")}/api/reports/tenants/${encodeURIComponent(tenantId)}`;
}

export interface DigestInput {
  readonly tenant: Pick<TenantRecord, "tenantId" | "displayName">;
  readonly runId: string;
  readonly approvals: readonly Approval[];
  /** The signed link of one request; must be an http(s) URL. */
  readonly linkFor: (approval: Approval, decision: LinkDecision) => string;
  /** Requests held back for later runs (per-run cap); mentioned when above zero. */
  readonly deferred?: number;
  /** The tenant's report (tenantReportLink): linked under the headline; must be an http(s) URL. */
  readonly reportUrl?: string;
}

export interface Digest {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

interface DigestItem {
  readonly approval: Approval;
  readonly title: string;
  readonly subtitle: string | null;
  readonly evidence: readonly EvidenceRow[];
  readonly action: string;
  readonly approve: string;
  readonly reject: string;
}

interface DigestGroup {
  readonly control: ControlId;
  readonly title: string;
  readonly severity: Severity;
  readonly rationale: string;
  readonly items: readonly DigestItem[];
}

const ACTION_TEXT: Readonly<Record<RemediationAction, string>> = {
  "block-account": "Approving blocks sign-in for this account. It can be re-enabled later.",
  "enforce-mfa": "Approving requires MFA for this administrator at their next sign-in.",
  "disable-user-consent": "Approving stops users from consenting to applications on their own; admins review consent requests instead.",
  "set-password-never-expire": "Approving sets passwords in this domain to never expire.",
};

const SEVERITY_COLORS: Readonly<Record<Severity, { fg: string; bg: string }>> = {
  high: { fg: "#b42318", bg: "#fdecea" },
  medium: { fg: "#8a5a00", bg: "#fff4dc" },
  low: { fg: "#1d4f91", bg: "#e8f0fb" },
};

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif";

export function renderDigest(input: DigestInput): Digest {
  if (input.approvals.length === 0) throw new RangeError("A digest needs at least one approval request");
  const groups = groupByControl(input);
  const tenantName = displayText(input.tenant.displayName) || input.tenant.tenantId;
  const count = input.approvals.length;
  const until = formatInstant(new Date(Math.min(...input.approvals.map((a) => a.expiresAt.getTime()))));
  const headline = `${count} ${count === 1 ? "change waits" : "changes wait"} for your approval`;
  const subject = `Tenant Patrol: ${count} approval ${count === 1 ? "request" : "requests"} for ${truncate(tenantName, 80)}`;
  const deferred = input.deferred ?? 0;
  const reportUrl = input.reportUrl === undefined ? null : checkedLink(input.reportUrl);
  const facts = { tenantName, headline, until, deferred, runId: input.runId, tenantId: input.tenant.tenantId, reportUrl };
  return { subject, html: renderHtml(groups, facts), text: renderText(groups, facts) };
}

interface DigestFacts {
  readonly tenantName: string;
  readonly tenantId: string;
  readonly headline: string;
  readonly until: string;
  readonly deferred: number;
  readonly runId: string;
  readonly reportUrl: string | null;
}

function groupByControl(input: DigestInput): DigestGroup[] {
  return CONTROL_IDS.flatMap((control) => {
    const approvals = input.approvals
      .filter((a) => a.control === control)
      .sort((a, b) => itemTitle(a).title.localeCompare(itemTitle(b).title) || (a.subjectId ?? "").localeCompare(b.subjectId ?? ""));
    if (approvals.length === 0) return [];
    const meta = CONTROLS.find((c) => c.id === control);
    return [
      {
        control,
        title: meta?.title ?? control,
        severity: meta?.severity ?? "low",
        rationale: meta?.rationale ?? "",
        items: approvals.map((approval) => ({
          approval,
          ...itemTitle(approval),
          evidence: evidenceRows(approval),
          action: ACTION_TEXT[approval.action],
          approve: checkedLink(input.linkFor(approval, "approve")),
          reject: checkedLink(input.linkFor(approval, "reject")),
        })),
      },
    ];
  });
}

function checkedLink(url: string): string {
  const protocol = URL.canParse(url) ? new URL(url).protocol : "";
  if (protocol !== "https:" && protocol !== "http:") throw new RangeError("Approval links must be http(s) URLs");
  return url;
}

/** Who or what the request is about: the person, the domain, or the tenant. */
function itemTitle(approval: Approval): { title: string; subtitle: string | null } {
  const { displayName: name, userPrincipalName: upn } = accountOf(approval.evidence);
  switch (approval.action) {
    case "block-account":
    case "enforce-mfa":
      return { title: name ?? upn ?? displayText(approval.subjectId ?? "Unknown user"), subtitle: name !== null ? upn : null };
    case "set-password-never-expire":
      return { title: displayText(approval.subjectId ?? "Unknown domain"), subtitle: "Domain" };
    case "disable-user-consent":
      return { title: "Tenant-wide setting", subtitle: null };
  }
}

function renderHtml(groups: readonly DigestGroup[], facts: DigestFacts): string {
  const preheader = `${facts.headline} in ${facts.tenantName}`;
  const body = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light">
<title>${preheader}</title>
</head>
<body style="margin:0;padding:0;background:#f4f6fa;">
<div style="display:none;max-height:0;overflow:hidden;opacity:0;">${preheader}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f4f6fa;">
<tr><td align="center" style="padding:16px 8px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:640px;width:100%;background:#ffffff;border:1px solid #e3e7ee;border-radius:12px;${trustedHtml(FONT)};color:#1b1f24;">
<tr><td style="background:#111a33;color:#ffffff;padding:14px 20px;border-radius:12px 12px 0 0;font-size:15px;font-weight:bold;">Tenant Patrol</td></tr>
<tr><td style="padding:20px 20px 4px 20px;">
<p style="margin:0 0 4px 0;font-size:13px;color:#5b6472;text-transform:uppercase;letter-spacing:1px;">${facts.tenantName}</p>
<h1 style="margin:0 0 12px 0;font-size:22px;line-height:1.3;">${facts.headline}</h1>
<p style="margin:0 0 8px 0;font-size:15px;line-height:1.5;">Each link opens a confirmation page: nothing changes until you confirm there, and each request can be decided once. The links work until <strong>${facts.until}</strong>.</p>
${facts.deferred > 0 ? html`<p style="margin:0 0 8px 0;font-size:14px;line-height:1.5;color:#5b6472;">${facts.deferred} more ${facts.deferred === 1 ? "finding waits" : "findings wait"} for a later run, so this email stays short.</p>` : null}
${facts.reportUrl === null ? null : html`<p style="margin:0 0 8px 0;font-size:14px;line-height:1.5;"><a href="${facts.reportUrl}" style="color:#2b4acb;">See ${facts.tenantName}'s report</a>: every finding, the trend and the accepted risks (sign-in required).</p>`}
</td></tr>
${groups.map(renderGroupHtml)}
<tr><td style="padding:16px 20px 20px 20px;border-top:1px solid #e3e7ee;font-size:12px;line-height:1.5;color:#5b6472;">
You receive this because you approve changes for ${facts.tenantName} (${facts.tenantId}) in Tenant Patrol. Anyone holding these links can decide: do not forward this email.<br>
Run ${facts.runId}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
  return body.toString();
}

function renderGroupHtml(group: DigestGroup): SafeHtml {
  const colors = SEVERITY_COLORS[group.severity];
  return html`<tr><td style="padding:20px 20px 0 20px;">
<p style="margin:0 0 2px 0;font-size:12px;font-weight:bold;color:#b42318;text-transform:uppercase;letter-spacing:1px;">Check failed</p>
<h2 style="margin:0 0 4px 0;font-size:18px;line-height:1.35;">${group.title} <span style="display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:bold;vertical-align:middle;color:${colors.fg};background:${colors.bg};">${group.severity}</span></h2>
<p style="margin:0 0 12px 0;font-size:13px;line-height:1.5;color:#5b6472;">${group.items.length} ${group.items.length === 1 ? "request" : "requests"}. ${group.rationale}</p>
${group.items.map(renderItemHtml)}
</td></tr>
`;
}

function renderItemHtml(item: DigestItem): SafeHtml {
  return html`<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 12px 0;border:1px solid #e3e7ee;border-radius:10px;">
<tr><td style="padding:14px 14px 4px 14px;">
<p style="margin:0;font-size:16px;font-weight:bold;line-height:1.35;word-break:break-word;">${item.title}</p>
${item.subtitle === null ? null : html`<p style="margin:2px 0 0 0;font-size:13px;color:#5b6472;word-break:break-all;">${item.subtitle}</p>`}
</td></tr>
<tr><td style="padding:8px 14px 0 14px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="font-size:13px;line-height:1.45;">
${item.evidence.map(
  (
    row,
  ) => html`<tr><td valign="top" style="padding:3px 10px 3px 0;color:#5b6472;width:38%;">${row.label}</td><td valign="top" style="padding:3px 0;word-break:break-word;">${row.value}</td></tr>
`,
)}</table>
</td></tr>
<tr><td style="padding:10px 14px 4px 14px;font-size:14px;line-height:1.5;">${item.action}</td></tr>
<tr><td style="padding:8px 14px 14px 14px;">
<a href="${item.approve}" style="display:inline-block;margin:0 8px 6px 0;padding:10px 22px;border-radius:8px;background:#147a3d;color:#ffffff;font-size:15px;font-weight:bold;text-decoration:none;">Approve</a>
<a href="${item.reject}" style="display:inline-block;margin:0 0 6px 0;padding:8px 20px;border-radius:8px;border:2px solid #f1b5ae;background:#ffffff;color:#b42318;font-size:15px;font-weight:bold;text-decoration:none;">Reject</a>
</td></tr>
</table>
`;
}

function renderText(groups: readonly DigestGroup[], facts: DigestFacts): string {
  const lines = [
    `Tenant Patrol: ${facts.headline} in ${facts.tenantName}`,
    "",
    "Each link opens a confirmation page: nothing changes until you confirm there, and each request can be decided once.",
    `The links work until ${facts.until}.`,
    ...(facts.deferred > 0 ? [`${facts.deferred} more finding(s) wait for a later run.`] : []),
    ...(facts.reportUrl === null ? [] : [`The tenant's report (sign-in required): ${facts.reportUrl}`]),
  ];
  for (const group of groups) {
    lines.push("", `== Check failed: ${group.title} (${group.severity}, ${group.items.length}) ==`);
    for (const item of group.items) {
      lines.push("", `* ${item.title}${item.subtitle === null ? "" : ` (${item.subtitle})`}`);
      for (const row of item.evidence) lines.push(`  ${row.label}: ${row.value}`);
      lines.push(`  ${item.action}`, `  Approve: ${item.approve}`, `  Reject:  ${item.reject}`);
    }
  }
  lines.push(
    "",
    `You receive this because you approve changes for ${facts.tenantName} (${facts.tenantId}) in Tenant Patrol.`,
    "Anyone holding these links can decide: do not forward this email.",
    `Run ${facts.runId}`,
  );
  return `${lines.join("\n")}\n`;
}

export interface SendDigestInput {
  /** UPN or user id of the sending mailbox (MAIL_SENDER). */
  readonly sender: string;
  readonly approvers: readonly string[];
  readonly digest: Digest;
}

/** The approvers to write to: trimmed, valid-looking addresses, each once (case-insensitive). */
export const approverAddresses = mailAddresses;

/** The digest to all approvers through Graph sendMail (shared/graph/send-mail.ts). Graph errors propagate. */
export async function sendDigest(graph: TenantGraph, input: SendDigestInput): Promise<void> {
  await sendMail(graph, { sender: input.sender, to: input.approvers, subject: input.digest.subject, html: input.digest.html });
}
