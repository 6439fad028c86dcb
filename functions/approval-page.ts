/**
 * HTTP `approvals/{token}` (anonymous: the signed token is the protection).
 * GET shows the confirmation page and never changes anything (mail scanners prefetch links);
 * POST takes the decision (CSRF-protected) and shows the outcome. Status codes, all in
 * `problemResponse` / `decisionResponse` below:
 *   200 confirmation page, outcome page, or (GET) the recorded outcome of a decided request
 *   400 malformed token, or a form post without a valid decision
 *   403 bad signature / unknown key / token that does not match the approval / failed CSRF check
 *   404 no such approval (a token for another tenant finds nothing either)
 *   409 (POST) already decided: the recorded outcome, nothing run again; tenant removed or disabled
 *   410 link or request expired
 *   500 unexpected error (logged; the page never shows exception text)
 *   503 approvals not configured (APPROVAL_SIGNING_KEYS, PUBLIC_BASE_URL, MAIL_SENDER)
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import {
  decideApproval,
  openApprovalLink,
  type ApprovalDecisionDeps,
  type DecisionResult,
  type LinkProblem,
} from "../shared/approvals/decide.js";
import { checkCsrf, CSRF_FIELD, issueCsrf, type CsrfFailure } from "../shared/http/csrf.js";
import { htmlResponse } from "../shared/http/html-response.js";
import { logLine } from "../shared/logging/log-text.js";
import { functionApp } from "../shared/app/wiring.js";
import { confirmationPage, outcomePage, problemPage, type Decision } from "../shared/views/approval-page.js";

/** A form post is two short fields; anything much larger is not ours. */
const MAX_FORM_BYTES = 8 * 1024;

export async function approvalPageGet(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return guarded(context, async () => {
    const approvalPage = functionApp().approvalPage;
    if (!approvalPage) return notConfigured();
    const token = request.params.token ?? "";
    const opened = await openApprovalLink(approvalPage.deps, token, new Date());
    if (opened.ok === false) return problemResponse(opened.problem);
    if (opened.ok === "decided")
      return htmlResponse(200, outcomePage({ approval: opened.approval, tenantName: opened.tenantName }, { earlier: true }));
    const csrf = issueCsrf(request, token, approvalPage.csrf);
    const page = confirmationPage({
      approval: opened.approval,
      tenantName: opened.tenant.displayName,
      csrfFieldName: CSRF_FIELD,
      csrfField: csrf.field,
      preselect: preselected(request.query.get("decision")),
    });
    return htmlResponse(200, page, { cookies: [csrf.cookie] });
  });
}

export async function approvalPagePost(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return guarded(context, async () => {
    const approvalPage = functionApp().approvalPage;
    if (!approvalPage) return notConfigured();
    const token = request.params.token ?? "";
    const form = await readForm(request);
    if (!form) return badForm();
    const csrf = checkCsrf(request, form, token, approvalPage.csrf);
    if (!csrf.ok) {
      context.warn(logLine`approval form refused: ${csrf.reason}`);
      return csrfRefused(csrf.reason, token);
    }
    const decision = preselected(form.get("decision"));
    if (!decision) return badForm();
    const log = { info: (line: string) => context.log(line), warn: (line: string) => context.warn(line) };
    const result = await decideApproval(approvalPage.deps, { token, decision, now: new Date(), log });
    if (result.kind === "action-error") context.error("approval action failed after the decision was recorded", result.error);
    if (result.kind === "approved" || result.kind === "rejected") {
      context.log(
        logLine`approval ${result.approval.approvalId} in ${result.approval.tenantId}: ${result.kind}${result.kind === "approved" ? `, ${result.result.outcome}` : ""}`,
      );
    }
    return decisionResponse(result);
  });
}

/** Every decision result → page and status (see the header comment). */
function decisionResponse(result: DecisionResult): HttpResponseInit {
  switch (result.kind) {
    case "problem":
      return problemResponse(result.problem);
    case "already-decided":
      return htmlResponse(409, outcomePage(result, { earlier: true }));
    case "rejected":
    case "approved":
      return htmlResponse(200, outcomePage(result, { earlier: false }));
    case "action-error":
      return htmlResponse(
        500,
        problemPage({
          tone: "danger",
          title: "Approved, but the result is unknown",
          message: "Your approval is recorded, but the action stopped before its result was saved. It will not run again from this link.",
          hint: "Check the tenant's audit trail, or ask an administrator to look at the function logs.",
        }),
      );
  }
}

function problemResponse(problem: LinkProblem): HttpResponseInit {
  switch (problem.kind) {
    case "token":
      switch (problem.rejection) {
        case "expired":
          return expired();
        case "malformed":
          return htmlResponse(
            400,
            problemPage({
              tone: "danger",
              title: "This link is damaged",
              message: "The link is incomplete or was changed. Nothing was done.",
              hint: "Open the link from the email again; if your mail app breaks long links, copy the whole address.",
            }),
          );
        case "bad-signature":
        case "unknown-key":
          return htmlResponse(
            403,
            problemPage({
              tone: "danger",
              title: "This link is not valid",
              message:
                "The link's signature does not check out: it was altered, or it was not issued by this Tenant Patrol. Nothing was done.",
            }),
          );
      }
      break;
    case "mismatch":
      return htmlResponse(
        403,
        problemPage({
          tone: "danger",
          title: "This link is not valid",
          message: "The link does not match the request it names. Nothing was done.",
        }),
      );
    case "unknown-approval":
      return htmlResponse(
        404,
        problemPage({
          tone: "warning",
          title: "Request not found",
          message: "There is no approval request for this link (it may have been removed). Nothing was done.",
        }),
      );
    case "approval-expired":
      return expired();
    case "tenant-unavailable":
      return htmlResponse(
        409,
        problemPage({
          tone: "warning",
          title: "This tenant is paused",
          message: `${problem.tenantName} is disabled or no longer managed by Tenant Patrol, so no action can run against it. Nothing was done.`,
        }),
      );
  }
  return expired();
}

function expired(): HttpResponseInit {
  return htmlResponse(
    410,
    problemPage({
      tone: "neutral",
      title: "This link has expired",
      message: "Approval links are valid for a limited time, and this one has run out. Nothing was done.",
      hint: "If the finding is still open, the next nightly sweep sends a new request.",
    }),
  );
}

const CSRF_MESSAGES: Readonly<Record<CsrfFailure, string>> = {
  "cross-site": "The form was sent from another site. Nothing was done.",
  "missing-cookie":
    "Your browser did not send back the form's security cookie (it may block cookies, or the page was opened elsewhere). Nothing was done.",
  "missing-field": "The form arrived incomplete. Nothing was done.",
  mismatch: "The form does not belong to this page or this browser session. Nothing was done.",
};

function csrfRefused(reason: CsrfFailure, token: string): HttpResponseInit {
  return htmlResponse(
    403,
    problemPage({
      tone: "warning",
      title: "Please confirm again",
      message: CSRF_MESSAGES[reason],
      hint: "Open the confirmation page again and press the button there.",
      retryHref: `./${encodeURIComponent(token)}`,
    }),
  );
}

function badForm(): HttpResponseInit {
  return htmlResponse(
    400,
    problemPage({ tone: "danger", title: "Bad request", message: "The form did not say whether to approve or reject. Nothing was done." }),
  );
}

function notConfigured(): HttpResponseInit {
  return htmlResponse(
    503,
    problemPage({
      tone: "warning",
      title: "Approvals are not set up",
      message: "This Tenant Patrol has no approval settings, so it cannot check approval links. Nothing was done.",
    }),
  );
}

async function guarded(context: InvocationContext, handle: () => Promise<HttpResponseInit>): Promise<HttpResponseInit> {
  try {
    return await handle();
  } catch (error) {
    context.error("approval page failed", error);
    return htmlResponse(
      500,
      problemPage({
        tone: "danger",
        title: "Something went wrong",
        message: "The request could not be completed. If you were approving, nothing was decided unless a later visit to the link says so.",
        hint: "Try again in a few minutes.",
      }),
    );
  }
}

function preselected(value: string | null): Decision | null {
  return value === "approve" || value === "reject" ? value : null;
}

/** URL-encoded form body, or undefined for another content type or an oversized body. */
async function readForm(request: HttpRequest): Promise<URLSearchParams | undefined> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) return undefined;
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > MAX_FORM_BYTES) return undefined;
  const text = await request.text();
  return text.length > MAX_FORM_BYTES ? undefined : new URLSearchParams(text);
}

export type { ApprovalDecisionDeps };
