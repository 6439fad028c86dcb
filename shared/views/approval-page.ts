/**
 * The approval pages: confirmation (GET), outcome (POST), the recorded state of a decided request,
 * and the problem pages (expired, tampered, unknown…). Pure functions of their input; every value
 * from Graph or storage goes through `html`, which strips control and bidi characters and escapes it.
 */
import type { Approval } from "../model/approval.js";
import { CONTROLS } from "../controls/index.js";
import type { FindingDetail } from "../model/findings.js";
import type { RemediationAction, RemediationOutcome } from "../model/remediation.js";
import { accountOf, evidenceRows } from "./evidence.js";
import { html, trustedHtml, type SafeHtml } from "./html.js";
import { formatInstant } from "./instant.js";
import { renderPage, type RenderedPage, type Tone } from "./layout.js";

const SECTION = "Approval request";

export type Decision = "approve" | "reject";

export interface ConfirmationInput {
  readonly approval: Approval;
  readonly tenantName: string;
  /** Value of the hidden CSRF field. */
  readonly csrfFieldName: string;
  readonly csrfField: string;
  /** From `?decision=`: which button the email link asked for (highlighted, focused). */
  readonly preselect: Decision | null;
}

export interface OutcomeInput {
  readonly approval: Approval;
  readonly tenantName: string;
}

export interface ProblemInput {
  readonly title: string;
  readonly message: string;
  readonly hint?: string;
  readonly tone: Tone;
  /** A link back to the confirmation page (e.g. after a CSRF failure). */
  readonly retryHref?: string;
}

interface ActionText {
  /** "Block sign-in for Bobby Tables" */
  readonly title: string;
  /** What approving does, one or two sentences. */
  readonly effect: string;
  readonly approveLabel: string;
  /** Heading once done. */
  readonly doneTitle: string;
}

export function confirmationPage(input: ConfirmationInput): RenderedPage {
  const { approval, preselect } = input;
  const text = actionText(approval);
  const approveClass = preselect === "reject" ? "btn btn-approve quiet" : "btn btn-approve";
  const rejectClass = preselect === "reject" ? "btn btn-reject chosen" : "btn btn-reject";
  const body = html`<section class="card" aria-labelledby="title">
<p class="eyebrow">${input.tenantName} · ${controlTitle(approval)}</p>
<h1 id="title">${text.title}</h1>
<p class="lead">${text.effect}</p>
${facts(approval, input.tenantName)}
${evidenceTable(approval)}
${preselect && html`<p class="chosen-note">The email link you followed asked to <strong>${preselect}</strong>. Nothing happens until you confirm below.</p>`}
<form method="post">
<input type="hidden" name="${input.csrfFieldName}" value="${input.csrfField}">
<div class="actions">
<button type="submit" name="decision" value="approve" class="${approveClass}"${preselect === "approve" ? trustedHtml(" autofocus") : null}>${text.approveLabel}</button>
<button type="submit" name="decision" value="reject" class="${rejectClass}"${preselect === "reject" ? trustedHtml(" autofocus") : null}>Reject</button>
</div>
</form>
<p class="fine">Approving runs the action once, with the guardrails (exclusions, the last Global Administrators, on-premises accounts) checked again just before it, and writes an audit record. Rejecting changes nothing. This link works once and expires ${formatInstant(approval.expiresAt)}.</p>
</section>`;
  return renderPage({ title: text.title, section: SECTION, body });
}

/** The page after a decision (this request's, or one recorded earlier). */
export function outcomePage(input: OutcomeInput, options: { readonly earlier: boolean }): RenderedPage {
  const { approval } = input;
  const text = actionText(approval);
  const banner = outcomeBanner(approval, text, options.earlier);
  const body = html`<section class="card" aria-labelledby="title">
<div class="banner tone-${banner.tone}" role="status">${icon(banner.tone)}<div><h1 id="title">${banner.title}</h1><p>${banner.message}</p></div></div>
<p class="eyebrow">${input.tenantName} · ${controlTitle(approval)}</p>
<h2>${text.title}</h2>
${facts(approval, input.tenantName)}
${evidenceTable(approval)}
</section>`;
  return renderPage({ title: banner.title, section: SECTION, body });
}

export function problemPage(input: ProblemInput): RenderedPage {
  const body = html`<section class="card" aria-labelledby="title">
<div class="banner tone-${input.tone}" role="alert">${icon(input.tone)}<div><h1 id="title">${input.title}</h1><p>${input.message}</p></div></div>
${input.hint && html`<p>${input.hint}</p>`}
${input.retryHref && html`<p><a class="btn btn-link" href="${input.retryHref}">Open the confirmation page again</a></p>`}
</section>`;
  return renderPage({ title: input.title, section: SECTION, body });
}

function outcomeBanner(approval: Approval, text: ActionText, earlier: boolean): { tone: Tone; title: string; message: string } {
  const when = approval.decidedAt ? ` on ${formatInstant(approval.decidedAt)}` : "";
  const who = approval.decidedBy ? ` (${approval.decidedBy})` : "";
  const prefix = earlier ? `This request was already decided${when}${who}. ` : "";
  if (approval.state === "rejected") {
    return { tone: "neutral", title: earlier ? "Already rejected" : "Rejected", message: `${prefix}Nothing was changed in the tenant.` };
  }
  if (approval.state === "expired") {
    return { tone: "neutral", title: "Expired", message: "This request expired before anyone decided. Nothing was changed." };
  }
  if (approval.outcome === null) {
    return {
      tone: "info",
      title: earlier ? "Already approved" : "Approved",
      message: `${prefix}The action has no recorded result yet: it is running, or it stopped before recording one. Reload this page in a minute; the audit trail has every attempt.`,
    };
  }
  const result = approval.outcomeMessage ?? "";
  if (approval.undo) {
    const undone = approval.undo;
    return {
      tone: "neutral",
      title: "Undone",
      message: `${prefix}The action ran, then was undone on ${formatInstant(undone.undoneAt)} (${undone.undoneBy}). What it had done: ${result}`,
    };
  }
  const by: Record<RemediationOutcome, { tone: Tone; title: string }> = {
    done: { tone: "success", title: text.doneTitle },
    stale: { tone: "info", title: "Nothing to do: the finding no longer holds" },
    refused: { tone: "warning", title: "Not done: a guardrail stopped this action" },
    "permission-denied": { tone: "danger", title: "Not done: Tenant Patrol lacks the permission" },
    failed: { tone: "danger", title: "Not done: the change failed" },
  };
  const shown = by[approval.outcome];
  return { tone: shown.tone, title: shown.title, message: `${prefix}${result}` };
}

function facts(approval: Approval, tenantName: string): SafeHtml {
  const subject = subjectLabel(approval);
  return html`<dl class="facts">
<dt>Tenant</dt><dd>${tenantName} <span class="muted mono">${approval.tenantId}</span></dd>
${subject && html`<dt>${subject.label}</dt><dd>${subject.value}</dd>`}
<dt>Finding</dt><dd>${controlTitle(approval)} <span class="pill ${severityOf(approval)}">${severityOf(approval)}</span></dd>
<dt>Requested</dt><dd>${formatInstant(approval.createdAt)}</dd>
${approval.state === "pending" ? html`<dt>Link expires</dt><dd>${formatInstant(approval.expiresAt)}</dd>` : html`<dt>Decision</dt><dd>${approval.state}${approval.decidedAt ? html` · ${formatInstant(approval.decidedAt)}` : null}</dd>`}
${approval.auditId && html`<dt>Audit id</dt><dd class="mono">${approval.auditId}</dd>`}
</dl>`;
}

function evidenceTable(approval: Approval): SafeHtml | null {
  const rows = evidenceRows(approval);
  if (rows.length === 0) return null;
  return html`<h2>Evidence</h2>
<table class="evidence"><tbody>
${rows.map((row) => html`<tr><th scope="row">${row.label}</th><td>${row.value}</td></tr>`)}
</tbody></table>`;
}

function actionText(approval: Approval): ActionText {
  const who = personName(approval.evidence) ?? approval.subjectId ?? "this account";
  const texts: Record<RemediationAction, ActionText> = {
    "block-account": {
      title: `Block sign-in for ${who}`,
      effect: `The account will no longer be able to sign in, and its current sessions are revoked. Mailbox, files, licences and group memberships stay; the block can be undone.`,
      approveLabel: "Approve: block sign-in",
      doneTitle: `Sign-in blocked for ${who}`,
    },
    "enforce-mfa": {
      title: `Require MFA for ${who}`,
      effect:
        "Sets the per-user multi-factor authentication state to enforced: the next sign-in requires a second factor (and registration, if none is set up). Can be undone.",
      approveLabel: "Approve: enforce MFA",
      doneTitle: `MFA enforced for ${who}`,
    },
    "disable-user-consent": {
      title: "Turn off user consent to apps",
      effect:
        "Users will no longer be able to grant third-party apps access to their data; an administrator approves such requests instead. Consent for resources users own is kept. Can be undone.",
      approveLabel: "Approve: turn off user consent",
      doneTitle: "User consent to apps turned off",
    },
    "set-password-never-expire": {
      title: `Stop forced password expiry on ${approval.subjectId ?? "this domain"}`,
      effect:
        "Sets the domain's password validity to never expire, as Microsoft and NIST recommend: forced periodic changes lead to weaker passwords. Can be undone.",
      approveLabel: "Approve: stop forced expiry",
      doneTitle: `Passwords on ${approval.subjectId ?? "the domain"} no longer expire`,
    },
  };
  return texts[approval.action];
}

function subjectLabel(approval: Approval): { label: string; value: SafeHtml } | null {
  if (approval.subjectId === null) return null;
  if (approval.action === "set-password-never-expire") return { label: "Domain", value: html`${approval.subjectId}` };
  const { userPrincipalName: upn } = accountOf(approval.evidence);
  const name = personName(approval.evidence);
  return {
    label: "Account",
    value: html`${name ?? ""}${name && upn ? html`<br>` : null}${upn && html`<span class="mono">${upn}</span>`}${!name && !upn ? html`<span class="mono">${approval.subjectId}</span>` : null}`,
  };
}

/** Display name, else UPN, from the evidence. */
function personName(evidence: FindingDetail): string | null {
  const account = accountOf(evidence);
  return account.displayName ?? account.userPrincipalName;
}

function controlTitle(approval: Approval): string {
  return CONTROLS.find((c) => c.id === approval.control)?.title ?? approval.control;
}

function severityOf(approval: Approval): string {
  return CONTROLS.find((c) => c.id === approval.control)?.severity ?? "medium";
}

const ICONS: Readonly<Record<Tone, string>> = {
  success: '<path d="M20 6 9 17l-5-5"/>',
  danger: '<circle cx="12" cy="12" r="9"/><path d="M15 9l-6 6M9 9l6 6"/>',
  warning: '<path d="M12 3 2 21h20z"/><path d="M12 10v5M12 18h.01"/>',
  info: '<circle cx="12" cy="12" r="9"/><path d="M12 11v6M12 7h.01"/>',
  neutral: '<circle cx="12" cy="12" r="9"/><path d="M8 12h8"/>',
};

function icon(tone: Tone): SafeHtml {
  return trustedHtml(
    `<svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">${ICONS[tone]}</svg>`,
  );
}
