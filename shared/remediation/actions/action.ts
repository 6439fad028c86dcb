/** What one remediation action implements; remediate.ts runs the common guardrails and the audit around it. */
import type { Client } from "@microsoft/microsoft-graph-client";
import type { ControlId, FindingRow } from "../../model/findings.js";
import type { TenantRecord } from "../../model/tenant.js";
import type { AuditEntry, AuditState } from "../../storage/audit.js";
import type { GraphWrite } from "../graph-calls.js";
import type { GraphStep } from "../permissions.js";
import type { RemediationAction, RemediationOutcome } from "../../model/remediation.js";

/**
 * What the attempt has seen and done so far. Actions fill it as they go, so that when a Graph
 * call fails half-way the audit row still shows the state read and any change already made.
 */
export interface Trace {
  before: AuditState | null;
  after: AuditState | null;
  /** Request-id of the (first) write that succeeded. */
  graphRequestId: string | null;
  /** Set once a change is made, for the message should a later step fail: "The account user@x was disabled". */
  partial: string | null;
}

export interface ActionContext {
  /** For reads. Writes go through `write`, never the client. */
  readonly client: Client;
  readonly tenant: TenantRecord;
  readonly control: ControlId;
  /** Checked against the action's `subject` kind before the action runs (null for tenant actions). */
  readonly subjectId: string | null;
  /** The instant findings are re-judged at. */
  readonly now: Date;
  readonly trace: Trace;
  /**
   * Sends one write of `step` and resolves to Graph's request-id. Refuses (throws) when the
   * tenant's remediation lease was lost, so no write happens outside it.
   */
  write(step: GraphStep, write: GraphWrite): Promise<string | null>;
}

/** An apply runs only once the control has re-judged the subject: `finding` is that fresh row. */
export interface ApplyContext extends ActionContext {
  readonly finding: FindingRow;
}

/** How an action ended when Graph did not fail (Graph failures are thrown as StepError). */
export interface Verdict {
  readonly outcome: Extract<RemediationOutcome, "done" | "stale" | "refused">;
  readonly message: string;
}

export type SubjectKind = "user" | "domain" | "tenant";

export interface ActionHandler {
  readonly action: RemediationAction;
  /** user: a user object id; domain: a domain name; tenant: no subject (subjectId null). */
  readonly subject: SubjectKind;
  /** Findings of these controls justify the action (the catalog of remediations). */
  readonly controls: readonly ControlId[];
  /** It disables accounts, so the Global Administrator floor applies. */
  readonly disablesAccounts: boolean;
  apply(ctx: ApplyContext): Promise<Verdict>;
  /** Restores `original.before`; `original` is a `done` (or partly done) apply row of this action. */
  undo(ctx: ActionContext, original: AuditEntry): Promise<Verdict>;
}

export const done = (message: string): Verdict => ({ outcome: "done", message });
export const stale = (message: string): Verdict => ({ outcome: "stale", message });
export const refused = (message: string): Verdict => ({ outcome: "refused", message });

/** Path segment for an id (user id, domain name). */
export const segment = (id: string): string => encodeURIComponent(id);

/** The subject of a user or domain action (remediate.ts has checked it is there). */
export function subjectOf(ctx: ActionContext): string {
  if (ctx.subjectId === null) throw new TypeError("this action needs a subject id");
  return ctx.subjectId;
}
