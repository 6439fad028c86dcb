/** What the store keeps about findings over time: the current state per subject, and its history. */
import type { ControlId, FindingDetail, FindingStatus, Severity } from "./findings.js";

/** The current state of one (control, subject) in one tenant. */
export interface StoredFinding {
  readonly control: ControlId;
  /** Null for tenant-level findings. */
  readonly subjectId: string | null;
  readonly status: FindingStatus;
  readonly severity: Severity;
  readonly detail: FindingDetail;
  /** First sweep that saw this (control, subject); never changes afterwards. */
  readonly firstSeen: Date;
  /** Last sweep that produced a row for it. */
  readonly lastSeen: Date;
  /** Set when an open finding closed; cleared when it reopens. */
  readonly resolvedAt: Date | null;
  /** Last run that wrote it (a resolution by absence writes without seeing it). */
  readonly lastRunId: string;
}

export function isOpenStatus(status: FindingStatus): boolean {
  return status === "fail" || status === "unknown";
}

/** Open: failing or unknown, and not resolved. */
export function isOpenFinding(finding: StoredFinding): boolean {
  return finding.resolvedAt === null && isOpenStatus(finding.status);
}

/** The identity of a finding within its tenant, (control, subject), as one map key. */
export function findingKey(finding: { readonly control: ControlId; readonly subjectId: string | null }): string {
  // JSON keeps null apart from any subject id string, and the pair unambiguous.
  return JSON.stringify([finding.control, finding.subjectId]);
}

/** What a sweep's reconciliation records about a finding's status. */
export const STATUS_EVENT_KINDS = ["new", "resolved", "reopened", "changed"] as const;
export type StatusEventKind = (typeof STATUS_EVENT_KINDS)[number];

/** What happens to a finding's acceptance (the risk register): a person accepts or revokes, a sweep sees it expire. */
export const ACCEPTANCE_EVENT_KINDS = ["accepted", "acceptance-revoked", "acceptance-expired"] as const;
export type AcceptanceEventKind = (typeof ACCEPTANCE_EVENT_KINDS)[number];

export const FINDING_EVENT_KINDS = [...STATUS_EVENT_KINDS, ...ACCEPTANCE_EVENT_KINDS] as const;
export type FindingEventKind = (typeof FINDING_EVENT_KINDS)[number];

export function isAcceptanceEvent(kind: FindingEventKind): kind is AcceptanceEventKind {
  return (ACCEPTANCE_EVENT_KINDS as readonly string[]).includes(kind);
}

/**
 * One change of a finding. A sweep's events carry its run id: (runId, control, subjectId) identifies
 * a status event, and (runId, control, subjectId, kind) an acceptance-expired one. A person's accept
 * or revoke happens outside any run (runId null) and is identified by its instant.
 */
export interface FindingEvent {
  readonly runId: string | null;
  readonly control: ControlId;
  readonly subjectId: string | null;
  readonly event: FindingEventKind;
  /** Null for `new` findings that were never stored. */
  readonly statusBefore: FindingStatus | null;
  /** The finding's status after the event (for acceptance events, its status then). */
  readonly statusAfter: FindingStatus;
  readonly at: Date;
  /** Acceptance events only: who, why, until when. */
  readonly acceptance?: AcceptanceNote;
}

export interface AcceptanceNote {
  /** Who accepted or revoked (a signed-in principal's name); the sweep for an expiry. */
  readonly by: string;
  readonly reason: string;
  readonly expiresAt: Date;
}

/**
 * A risk accepted for one finding (tenant, control, subject) until `expiresAt`. While it holds, the
 * finding is not open: not counted in scores, never turned into an approval request. Only the
 * acceptance in force is stored; its history is in the finding's events.
 */
export interface Acceptance {
  readonly tenantId: string;
  readonly control: ControlId;
  readonly subjectId: string | null;
  readonly reason: string;
  readonly acceptedBy: string;
  readonly acceptedAt: Date;
  readonly expiresAt: Date;
}

/** An acceptance lasts at most this long; renewing it is a new, deliberate decision. */
export const MAX_ACCEPTANCE_DAYS = 365;

/** (control, subject) → its acceptance: the lookup every report and approval plan makes per finding. */
export type AcceptanceIndex = ReadonlyMap<string, Acceptance>;

export function acceptanceIndex(acceptances: readonly Acceptance[]): AcceptanceIndex {
  return new Map(acceptances.map((a) => [findingKey(a), a]));
}
