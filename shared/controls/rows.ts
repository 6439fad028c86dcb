/**
 * Building finding rows: every row carries its control's id and severity, and its evidence is
 * the control's variant of shared/model/evidence.ts (the compiler holds each control to it).
 */
import type { JudgedEvidence, KnownEvidence, Unreadable } from "../model/evidence.js";
import type { ControlId, FindingDetail, FindingRow, FindingStatus } from "../model/findings.js";
import type { Control } from "./control.js";

export type ControlMeta<C extends ControlId = ControlId> = Pick<Control<C>, "id" | "severity">;

/** A `pass` or `fail` row. */
export function row<C extends ControlId>(
  meta: ControlMeta<C>,
  subjectId: string | null,
  status: Exclude<FindingStatus, "unknown">,
  detail: JudgedEvidence<C>,
): FindingRow {
  return { control: meta.id, subjectId, status, severity: meta.severity, detail };
}

/**
 * An `unknown` row. `detail.reason`, `source`, `message` (and `code`) come from the first unreadable
 * source; `detail.sources` names them all when there are several. `evidence` keeps what is known.
 */
export function unknownRow<C extends ControlId>(
  meta: ControlMeta<C>,
  subjectId: string | null,
  failed: readonly Unreadable[],
  evidence?: KnownEvidence<C>,
): FindingRow {
  return unreadableRow(meta, subjectId, failed, evidence ?? {});
}

/**
 * unknownRow over evidence already typed when its row was built (applyExclusion turns a typed
 * `fail` into an `unknown`): the one place a row's evidence is not checked here.
 */
export function unreadableRow(
  meta: ControlMeta,
  subjectId: string | null,
  failed: readonly Unreadable[],
  evidence: FindingDetail,
): FindingRow {
  const sources = [...new Set(failed.map((f) => f.source))];
  const [first] = failed;
  if (first === undefined) throw new RangeError("unknownRow needs at least one unreadable source");
  return {
    control: meta.id,
    subjectId,
    status: "unknown",
    severity: meta.severity,
    detail: { ...evidence, ...first, ...(sources.length > 1 ? { sources } : {}) },
  };
}
