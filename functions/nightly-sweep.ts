import type { InvocationContext, Timer } from "@azure/functions";
import { functionApp } from "../shared/app/wiring.js";
import { startSweep, type StartedSweep, type StartSweepDeps } from "../shared/sweep/start-sweep.js";
import { logLine } from "../shared/logging/log-text.js";

/** Timer trigger `nightly-sweep` (schedule: app setting SWEEP_SCHEDULE). */
export async function nightlySweep(timer: Timer, context: InvocationContext): Promise<void> {
  await startNightlySweep(functionApp(), timer, context, new Date());
}

/**
 * Opens tonight's run and fans out one scan message per enabled tenant. The run is named after
 * the minute the timer fired, so a retried or double-fired timer reuses it instead of starting another.
 */
export async function startNightlySweep(deps: StartSweepDeps, timer: Timer, context: InvocationContext, now: Date): Promise<StartedSweep> {
  const firedAt = new Date(now);
  firedAt.setUTCSeconds(0, 0);
  if (timer.isPastDue) context.warn("nightly-sweep is running late (past due)");
  const sweep = await startSweep(deps, { asOf: firedAt, startedAt: firedAt, trigger: "timer" });
  context.log(logLine`nightly-sweep: run ${sweep.runId}, ${sweep.tenantIds.length} tenant(s), ${sweep.enqueued} scan message(s) sent`);
  return sweep;
}
