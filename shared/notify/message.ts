/**
 * A tenant's run as ONE message per sink: built from the run's FindingEvents and its TenantRun
 * status, then narrowed to what the sink asked for. Deterministic (same storage, same message), so
 * a retried delivery sends the same events under the same ids. Unchanged findings have no event
 * in the run, so they never notify again.
 */
import { createHash } from "node:crypto";
import { CONTROLS } from "../controls/index.js";
import type { EventMessage, FindingOutboundEvent, OutboundEvent, SinkConfig } from "../model/events.js";
import { SEVERITIES, type Severity } from "../model/findings.js";
import { findingKey, type FindingEvent, type FindingEventKind, type StoredFinding } from "../model/stored.js";
import type { TenantRecord } from "../model/tenant.js";
import type { TenantRun } from "../storage/runs.js";
import { accountOf } from "../views/evidence.js";
import { displayText, truncate } from "../views/html.js";

/** The most a message carries; the most severe are kept and the rest counted in `omitted`. */
export const MAX_EVENTS_PER_MESSAGE = 200;

/** Event kinds of the finding events that notify; `changed` (fail ↔ unknown, still open) does not. */
const FINDING_EVENT_KINDS: Partial<Record<FindingEventKind, FindingOutboundEvent["kind"]>> = {
  new: "finding-new",
  reopened: "finding-reopened",
  resolved: "finding-resolved",
  "acceptance-expired": "finding-acceptance-expired",
};

export interface RunEvents {
  readonly tenant: Pick<TenantRecord, "tenantId" | "displayName">;
  /** The tenant's run, ended. */
  readonly run: TenantRun;
  readonly events: readonly FindingEvent[];
  /** The tenant's stored findings: each event's severity and subject come from its finding. */
  readonly findings: readonly StoredFinding[];
}

/** sha256 of the parts, as JSON (unambiguous whatever the parts hold), 32 hex digits. */
function stableId(prefix: string, parts: readonly (string | null)[]): string {
  return `${prefix}-${createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32)}`;
}

/** One finding's id for a PSA ticket: the same in every run (tenant, control, subject). */
export function findingExternalId(tenantId: string, control: string, subjectId: string | null): string {
  return stableId("tpf", [tenantId.toLowerCase(), control, subjectId]);
}

export function runExternalId(tenantId: string, runId: string): string {
  return stableId("tpr", [tenantId.toLowerCase(), runId]);
}

/** The same for every attempt of one (tenant, run, sink). */
export function deliveryId(tenantId: string, runId: string, sinkId: string): string {
  return stableId("tpd", [tenantId.toLowerCase(), runId, sinkId]);
}

/** Every event of the run, before any sink's filter: the run's own first, then findings, most severe first. */
export function runOutboundEvents(input: RunEvents): OutboundEvent[] {
  const { tenant, run } = input;
  const at = (run.finishedAt ?? new Date(0)).toISOString();
  const runEvent: OutboundEvent[] =
    run.status === "failed" || run.status === "partial"
      ? [{ kind: `run-${run.status}`, externalId: runExternalId(tenant.tenantId, run.runId), reason: cleanOrNull(run.reason), at }]
      : [];
  const findings = new Map(input.findings.map((f) => [findingKey(f), f]));
  const findingEvents = input.events.flatMap((event) => {
    const outbound = toOutbound(tenant.tenantId, event, findings.get(findingKey(event)));
    return outbound ? [outbound] : [];
  });
  return [...runEvent, ...findingEvents.sort(bySeverityThenKey)];
}

function toOutbound(tenantId: string, event: FindingEvent, finding: StoredFinding | undefined): FindingOutboundEvent | undefined {
  const kind = FINDING_EVENT_KINDS[event.event];
  if (kind === undefined) return undefined;
  const control = CONTROLS.find((c) => c.id === event.control);
  const account = finding ? accountOf(finding.detail) : { displayName: null, userPrincipalName: null };
  return {
    kind,
    externalId: findingExternalId(tenantId, event.control, event.subjectId),
    control: event.control,
    controlTitle: control?.title ?? event.control,
    severity: finding?.severity ?? control?.severity ?? "low",
    subject: {
      id: event.subjectId,
      displayName: shortOrNull(account.displayName),
      userPrincipalName: shortOrNull(account.userPrincipalName),
    },
    statusBefore: event.statusBefore,
    statusAfter: event.statusAfter,
    at: event.at.toISOString(),
  };
}

function bySeverityThenKey(a: FindingOutboundEvent, b: FindingOutboundEvent): number {
  return (
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    a.kind.localeCompare(b.kind) ||
    a.control.localeCompare(b.control) ||
    (a.subject.id ?? "").localeCompare(b.subject.id ?? "")
  );
}

function cleanOrNull(value: string | null): string | null {
  return value === null ? null : truncate(displayText(value), 1000);
}

function shortOrNull(value: string | null): string | null {
  return value === null ? null : truncate(value, 256);
}

/** Whether the sink wants this event (its kinds and minimum severity; run events have no severity). */
export function sinkWants(sink: SinkConfig, event: OutboundEvent): boolean {
  if (sink.eventKinds && !sink.eventKinds.includes(event.kind)) return false;
  if (sink.minSeverity === undefined || !("severity" in event)) return true;
  return atLeast(event.severity, sink.minSeverity);
}

function atLeast(severity: Severity, minimum: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(minimum);
}

/** The sink's message, or undefined when the sink wants nothing of this run (nothing is sent then). */
export function messageForSink(input: RunEvents, all: readonly OutboundEvent[], sink: SinkConfig): EventMessage | undefined {
  const { tenant, run } = input;
  if (sink.tenants && !sink.tenants.some((id) => id.toLowerCase() === tenant.tenantId.toLowerCase())) return undefined;
  const wanted = all.filter((event) => sinkWants(sink, event));
  if (wanted.length === 0) return undefined;
  return {
    schema: "tenant-patrol.events/v1",
    deliveryId: deliveryId(tenant.tenantId, run.runId, sink.id),
    tenant: { id: tenant.tenantId, displayName: truncate(displayText(tenant.displayName), 256) },
    run: {
      id: run.runId,
      externalId: runExternalId(tenant.tenantId, run.runId),
      status: run.status,
      reason: cleanOrNull(run.reason),
      finishedAt: run.finishedAt?.toISOString() ?? null,
    },
    events: wanted.slice(0, MAX_EVENTS_PER_MESSAGE),
    omitted: Math.max(0, wanted.length - MAX_EVENTS_PER_MESSAGE),
  };
}
