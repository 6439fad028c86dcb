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

export type FindingEventKind = "new" | "resolved" | "reopened" | "changed";

/** One change of a finding in one run. (runId, control, subjectId) identifies it. */
export interface FindingEvent {
  readonly runId: string;
  readonly control: ControlId;
  readonly subjectId: string | null;
  readonly event: FindingEventKind;
  /** Null for `new` findings that were never stored. */
  readonly statusBefore: FindingStatus | null;
  readonly statusAfter: FindingStatus;
  readonly at: Date;
}
