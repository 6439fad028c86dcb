/** Building finding rows: every row carries its control's id and severity. */
import type { FindingDetail, FindingRow, FindingStatus } from "../model/findings.js";
import type { Control } from "./control.js";
import type { Unreadable } from "./sources.js";

export type ControlMeta = Pick<Control, "id" | "severity">;

export function row(
  meta: ControlMeta,
  subjectId: string | null,
  status: FindingStatus,
  detail: FindingDetail,
): FindingRow {
  return { control: meta.id, subjectId, status, severity: meta.severity, detail };
}

/**
 * An `unknown` row. `detail.reason`, `source`, `message` (and `code`) come from the first unreadable
 * source; `detail.sources` names them all when there are several. `evidence` keeps what is known.
 */
export function unknownRow(
  meta: ControlMeta,
  subjectId: string | null,
  failed: readonly Unreadable[],
  evidence: FindingDetail = {},
): FindingRow {
  const sources = [...new Set(failed.map((f) => f.source))];
  const [first] = failed;
  if (first === undefined) throw new RangeError("unknownRow needs at least one unreadable source");
  return row(meta, subjectId, "unknown", {
    ...evidence,
    ...first,
    ...(sources.length > 1 ? { sources } : {}),
  });
}
