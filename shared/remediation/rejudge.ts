/**
 * "Would the control flag this subject now?" answered by the control itself: the data the control
 * judges is read from Graph just now, for this one subject, and the control's own evaluate() runs
 * on it. The re-check can never drift from the nightly rule (days inactive, what counts as an
 * admin, which Conditional Access policy enforces MFA, consent prefixes, "never expires" values),
 * and a remediation can never act on a subject the control would not flag.
 */
import type { Client } from "@microsoft/microsoft-graph-client";
import { completeSnapshot } from "../collect/snapshot.js";
import { toRegistrationDetail } from "../collect/directory.js";
import { toSnapshotUser, usersRequest } from "../collect/users.js";
import { accountsInactive30, accountsInactive90 } from "../controls/accounts-inactive.js";
import { appsUserConsent } from "../controls/apps-user-consent.js";
import type { Control } from "../controls/control.js";
import { mfaAdmins } from "../controls/mfa-admins.js";
import { isJudgedDomain, passwordNeverExpire } from "../controls/password-never-expire.js";
import type { TenantGraph } from "../graph/client.js";
import type { ControlId, FindingRow } from "../model/findings.js";
import type { SnapshotUser, Source, TenantSnapshot } from "../model/snapshot.js";
import type { TenantConfig } from "../model/tenant.js";
import type { AuditState } from "../storage/audit.js";
import { readDomain } from "./actions/set-password-never-expire.js";
import { step, stepOrMissing } from "./graph-calls.js";
import { readAuthorizationPolicy } from "../collect/policies.js";
import { GRAPH_STEPS } from "./permissions.js";

export type Rejudged =
  /** The control fails the subject now; `row` is its fresh finding (evidence included). */
  | { readonly flagged: true; readonly row: FindingRow }
  /**
   * The control would not fail it now, or cannot tell: never act. `why` completes "Not done: …";
   * `observed` is the state read (for the audit row), when the subject was found.
   */
  | { readonly flagged: false; readonly why: string; readonly observed?: AuditState };

export interface RejudgeInput {
  readonly graph: TenantGraph;
  readonly tenantId: string;
  readonly control: ControlId;
  readonly subjectId: string | null;
  readonly asOf: Date;
}

/** The fresh judgement of a remediable control for one subject. RangeError for any other control. */
export async function rejudge(input: RejudgeInput): Promise<Rejudged> {
  switch (input.control) {
    case "accounts.inactive-30":
    case "accounts.inactive-90":
      return rejudgeInactive(input, subjectOf(input));
    case "mfa.admins":
      return rejudgeAdmin(input, subjectOf(input));
    case "apps.user-consent":
      return rejudgeConsent(input);
    case "password.never-expire":
      return rejudgeDomain(input, subjectOf(input));
    default:
      throw new RangeError(`No remediation re-judges ${input.control}`);
  }
}

const NOT_READ: Source<never> = { ok: false, reason: "error", message: "not read for the remediation re-check" };

/** Exclusions are a guardrail of their own (read from Graph at action time), not part of the judgement. */
const NO_EXCLUSIONS: TenantConfig = { exclusions: { userIds: [], groupIds: [] }, approvers: [] };

/** A snapshot holding only `parts`; every other source is "not read" (the judging control never reads those). */
function partialSnapshot(tenantId: string, at: Date, parts: Partial<TenantSnapshot>): TenantSnapshot {
  return {
    tenantId,
    collectedAt: at.toISOString(),
    users: NOT_READ,
    signInActivity: NOT_READ,
    registrationDetails: NOT_READ,
    roleAssignments: NOT_READ,
    roleEligibility: NOT_READ,
    groupMembers: {},
    securityDefaults: NOT_READ,
    conditionalAccessPolicies: NOT_READ,
    authorizationPolicy: NOT_READ,
    domains: NOT_READ,
    perUserMfa: {},
    ...parts,
  };
}

/** The control's row for the subject, or its tenant-level row (a tenant-wide `unknown` covers every subject). */
function judge(control: Control, snapshot: TenantSnapshot, asOf: Date, subjectId: string | null): FindingRow | undefined {
  const rows = control.evaluate({ snapshot, config: NO_EXCLUSIONS, asOf });
  return rows.find((row) => row.subjectId === subjectId) ?? rows.find((row) => row.subjectId === null);
}

const flagged = (row: FindingRow): Rejudged => ({ flagged: true, row });
const notFlagged = (why: string, observed?: AuditState): Rejudged =>
  observed ? { flagged: false, why, observed } : { flagged: false, why };

/** "cannot be confirmed now: registrationDetails could not be read (permission: …)". */
function unconfirmed(row: FindingRow, observed: AuditState): Rejudged {
  const { source, reason, message } = row.detail;
  const what = typeof source === "string" ? `${source} could not be read` : "a source could not be read";
  return notFlagged(`the finding cannot be confirmed now: ${what} (${String(reason)}: ${String(message)})`, observed);
}

async function readUser(client: Client, userId: string, withSignIn: boolean): Promise<SnapshotUser | undefined> {
  // The fields the sweep's users listing reads, so the control sees the user as it would tonight.
  // `userId` is an object id (remediate.ts refuses any other subject first): with signInActivity
  // selected, Graph answers a UPN key with a 400.
  const { select = [] } = usersRequest(withSignIn);
  const raw = await stepOrMissing(withSignIn ? GRAPH_STEPS.readUser : GRAPH_STEPS.readAccount, async () => {
    return (await client
      .api(`/users/${encodeURIComponent(userId)}`)
      .select([...select])
      .get()) as Record<string, unknown>;
  });
  return raw === undefined ? undefined : toSnapshotUser(raw);
}

/** accounts.inactive-30/-90 by either bucket: a user flagged at 30 days who has reached 90 is still inactive. */
async function rejudgeInactive(input: RejudgeInput, userId: string): Promise<Rejudged> {
  const user = await readUser(input.graph.client, userId, true);
  if (user === undefined) return notFlagged(`user ${userId} no longer exists`);
  const snapshot = partialSnapshot(input.tenantId, input.asOf, {
    users: { ok: true, data: [user] },
    signInActivity: { ok: true, data: true },
  });
  const rows = [accountsInactive30, accountsInactive90].map((control) => judge(control, snapshot, input.asOf, user.id));
  const failing = rows.find((row) => row?.status === "fail");
  if (failing) return flagged(failing);
  const observed = { accountEnabled: user.accountEnabled };
  if (!user.accountEnabled) return notFlagged(`${user.userPrincipalName} is already disabled`, observed);
  const unknown = rows.find((row) => row?.status === "unknown");
  if (unknown)
    return notFlagged(`the inactivity of ${user.userPrincipalName} cannot be confirmed (no usable sign-in or creation date)`, observed);
  return notFlagged(`${user.userPrincipalName} has been active within the last 30 days`, observed);
}

/**
 * mfa.admins from the same reads the sweep makes (roles, eligibility, role groups, security
 * defaults, Conditional Access, per-user MFA state), with the users listing and the registration
 * report narrowed to the subject.
 */
async function rejudgeAdmin(input: RejudgeInput, userId: string): Promise<Rejudged> {
  const { client } = input.graph;
  const user = await readUser(client, userId, false);
  if (user === undefined) return notFlagged(`user ${userId} no longer exists`);
  const registration = await stepOrMissing(GRAPH_STEPS.readRegistration, async () => {
    const path = `/reports/authenticationMethods/userRegistrationDetails/${encodeURIComponent(user.id)}`;
    return toRegistrationDetail((await client.api(path).get()) as Record<string, unknown>);
  });
  const snapshot = await completeSnapshot(input.graph, input.tenantId, NO_EXCLUSIONS, {
    collectedAt: input.asOf.toISOString(),
    users: { ok: true, data: [user] },
    signInActivity: NOT_READ,
    registrationDetails: { ok: true, data: registration ? [registration] : [] },
  });
  const row = judge(mfaAdmins, snapshot, input.asOf, user.id);
  if (row?.status === "fail") return flagged(row);
  const perUser = snapshot.perUserMfa[user.id];
  const observed = {
    accountEnabled: user.accountEnabled,
    isMfaRegistered: registration?.isMfaRegistered ?? null,
    ...(perUser?.ok ? { perUserMfaState: perUser.data } : {}),
  };
  if (row?.status === "unknown") return unconfirmed(row, observed);
  if (!user.accountEnabled) return notFlagged(`${user.userPrincipalName} is disabled`, observed);
  return notFlagged(`${user.userPrincipalName} holds no privileged role now, or is registered for MFA and required to use it`, observed);
}

async function rejudgeConsent(input: RejudgeInput): Promise<Rejudged> {
  const policy = await step(GRAPH_STEPS.readAuthorizationPolicy, () => readAuthorizationPolicy(input.graph.client));
  const snapshot = partialSnapshot(input.tenantId, input.asOf, { authorizationPolicy: { ok: true, data: policy } });
  const row = judge(appsUserConsent, snapshot, input.asOf, null);
  if (row?.status === "fail") return flagged(row);
  return notFlagged("users already cannot consent to apps through a built-in self-consent policy", policy);
}

async function rejudgeDomain(input: RejudgeInput, domainId: string): Promise<Rejudged> {
  const domain = await readDomain(input.graph.client, domainId);
  if (domain === undefined) return notFlagged(`domain ${domainId} no longer exists`);
  const snapshot = partialSnapshot(input.tenantId, input.asOf, { domains: { ok: true, data: [domain] } });
  const row = judge(passwordNeverExpire, snapshot, input.asOf, domain.id);
  if (row?.status === "fail") return flagged(row);
  const observed = { passwordValidityPeriodInDays: domain.passwordValidityPeriodInDays };
  return notFlagged(
    isJudgedDomain(domain)
      ? `passwords on ${domain.id} already never expire`
      : `${domain.id} is no longer a verified, managed root domain (the only kind the control judges)`,
    observed,
  );
}

function subjectOf(input: RejudgeInput): string {
  if (input.subjectId === null) throw new RangeError(`${input.control} findings name a subject`);
  return input.subjectId;
}
