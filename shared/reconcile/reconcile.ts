/**
 * Reconcile: stored findings + this run's rows → the rows to write and the events to record.
 * Pure. The product's promise lives here: a failed or partial scan never marks a finding resolved.
 */
import type { ControlId, FindingRow, FindingStatus } from "../model/findings.js";
import { findingKey, isOpenFinding, isOpenStatus, type FindingEvent, type StatusEventKind, type StoredFinding } from "../model/stored.js";

export interface ReconcileInput {
  readonly tenantId: string;
  readonly runId: string;
  readonly asOf: Date;
  readonly stored: readonly StoredFinding[];
  readonly rows: readonly FindingRow[];
  /** False when any collector source failed: a missing row then proves nothing. */
  readonly scanComplete: boolean;
}

export interface ReconcileResult {
  /** Findings to write, whole. Apply after `events` (see saveReconciliation). */
  readonly upserts: StoredFinding[];
  readonly events: FindingEvent[];
}

export function reconcile(input: ReconcileInput): ReconcileResult {
  const stored = new Map(input.stored.map((finding) => [findingKey(finding), finding]));
  const seen = new Set<string>();
  const upserts: StoredFinding[] = [];
  const events: FindingEvent[] = [];
  const record = (before: StoredFinding | undefined, after: StoredFinding): void => {
    upserts.push(after);
    const kind = eventKind(before, after);
    if (kind !== undefined) events.push(toEvent(kind, before, after, input));
  };

  for (const row of input.rows) {
    const key = findingKey(row);
    if (seen.has(key)) throw new RangeError(`Two rows for one finding (tenant ${input.tenantId}, run ${input.runId}): ${key}`);
    seen.add(key);
    const before = stored.get(key);
    if (before === undefined || !writtenByLaterRun(before, input.runId)) record(before, applyRow(before, row, input));
  }

  const evaluated = fullyEvaluated(input);
  for (const before of input.stored) {
    if (seen.has(findingKey(before)) || !isOpenFinding(before) || writtenByLaterRun(before, input.runId)) continue;
    if (evaluated(before.control)) record(before, resolvedByAbsence(before, input));
  }
  return { upserts, events };
}

/** The tenant's findings once `upserts` are written over `stored`. */
export function findingsAfter(stored: readonly StoredFinding[], upserts: readonly StoredFinding[]): StoredFinding[] {
  const byKey = new Map(stored.map((finding) => [findingKey(finding), finding]));
  for (const finding of upserts) byKey.set(findingKey(finding), finding);
  return [...byKey.values()];
}

/** Run ids sort by time: a finding already written by a later run is newer than anything we have. */
function writtenByLaterRun(finding: StoredFinding, runId: string): boolean {
  return finding.lastRunId > runId;
}

/**
 * Whether absence of a row for `control` means "no longer failing": only when every source was
 * read and the control itself did not report that it could not be evaluated (tenant-level unknown).
 */
function fullyEvaluated(input: ReconcileInput): (control: ControlId) => boolean {
  if (!input.scanComplete) return () => false;
  const blocked = new Set(input.rows.filter((row) => row.subjectId === null && row.status === "unknown").map((row) => row.control));
  return (control) => !blocked.has(control);
}

function applyRow(before: StoredFinding | undefined, row: FindingRow, input: ReconcileInput): StoredFinding {
  return {
    control: row.control,
    subjectId: row.subjectId,
    status: row.status,
    severity: row.severity,
    detail: row.detail,
    firstSeen: before?.firstSeen ?? input.asOf,
    lastSeen: input.asOf,
    resolvedAt: resolvedAtAfter(before, row.status, input.asOf),
    lastRunId: input.runId,
  };
}

function resolvedAtAfter(before: StoredFinding | undefined, status: FindingStatus, asOf: Date): Date | null {
  if (isOpenStatus(status)) return null;
  if (before !== undefined && isOpenFinding(before)) return asOf;
  return before?.resolvedAt ?? null;
}

/**
 * A complete scan that no longer lists an open subject: it passes now (or is gone). lastSeen
 * stays, since this run did not see it; detail stays as the evidence of what was wrong.
 */
function resolvedByAbsence(before: StoredFinding, input: ReconcileInput): StoredFinding {
  return { ...before, status: "pass", resolvedAt: input.asOf, lastRunId: input.runId };
}

function eventKind(before: StoredFinding | undefined, after: StoredFinding): StatusEventKind | undefined {
  const wasOpen = before !== undefined && isOpenFinding(before);
  const isOpen = isOpenFinding(after);
  if (isOpen && !wasOpen) return before?.resolvedAt ? "reopened" : "new";
  if (wasOpen && !isOpen) return "resolved";
  if (wasOpen && isOpen && before.status !== after.status) return "changed";
  return undefined;
}

function toEvent(event: StatusEventKind, before: StoredFinding | undefined, after: StoredFinding, input: ReconcileInput): FindingEvent {
  return {
    runId: input.runId,
    control: after.control,
    subjectId: after.subjectId,
    event,
    statusBefore: before?.status ?? null,
    statusAfter: after.status,
    at: input.asOf,
  };
}
