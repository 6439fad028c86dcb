/** The contract every control implements: pure judgement of a snapshot, no I/O, no clock. */
import type { ControlId, FindingRow, Severity } from "../model/findings.js";
import type { TenantSnapshot } from "../model/snapshot.js";
import type { TenantConfig } from "../model/tenant.js";

export interface ControlInput {
  readonly snapshot: TenantSnapshot;
  readonly config: TenantConfig;
  /** The only time source: "now" for every age computed by a control. */
  readonly asOf: Date;
}

/** `C`: the control's id, which ties its rows to its variant of the evidence (model/evidence.ts). */
export interface Control<C extends ControlId = ControlId> {
  readonly id: C;
  readonly title: string;
  readonly severity: Severity;
  readonly rationale: string;
  evaluate(input: ControlInput): FindingRow[];
}
