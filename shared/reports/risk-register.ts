/**
 * The risk register's two decisions a person (or an API caller) takes: accept the risk of one open
 * finding for a while, with a reason, or revoke such an acceptance. Both are checked before anything
 * is stored, recorded as a finding event (who, why, until when), and reflected in the tenant's
 * summary at once, so the overview does not wait for the next sweep.
 */
import { z } from "zod";
import { CONTROL_IDS, type ControlId } from "../model/findings.js";
import { MAX_ACCEPTANCE_DAYS, type Acceptance, type FindingEvent, type StoredFinding } from "../model/stored.js";
import { isOpenFinding } from "../model/stored.js";
import type { AcceptancesRepository } from "../storage/acceptances.js";
import type { FindingEventsRepository } from "../storage/findingEvents.js";
import type { FindingsRepository } from "../storage/findings.js";
import type { SummariesRepository } from "../storage/summaries.js";
import { summarize } from "./summary.js";

export const MAX_REASON_CHARS = 1000;
const DAY_MS = 86_400_000;
const ISO_INSTANT = z.iso.datetime({ offset: true });

export interface RiskRegisterDeps {
  readonly findings: Pick<FindingsRepository, "listForTenant">;
  readonly acceptances: Pick<AcceptancesRepository, "accept" | "get" | "remove" | "listForTenant">;
  readonly events: Pick<FindingEventsRepository, "write">;
  readonly summaries: Pick<SummariesRepository, "get" | "put">;
}

/** One field's problem, named as the API and the form call it. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export type RiskDecision =
  | { readonly outcome: "accepted" | "revoked"; readonly acceptance: Acceptance }
  /** Nothing stored: the request is wrong (400). */
  | { readonly outcome: "invalid"; readonly problems: readonly FieldProblem[] }
  /** Nothing stored: an acceptance is already in force (accept) or none is (revoke) (409 / 404). */
  | { readonly outcome: "conflict" | "not-accepted"; readonly message: string };

/** What names the finding: the body's `control` and `subjectId` (null or "" for a tenant-level finding). */
export interface FindingRef {
  readonly control: ControlId;
  readonly subjectId: string | null;
}

export interface AcceptInput {
  readonly control: unknown;
  readonly subjectId: unknown;
  readonly reason: unknown;
  /** ISO 8601 instant, or a number of days from now (the form's `expiresInDays`). */
  readonly expiresAt?: unknown;
  readonly expiresInDays?: unknown;
}

/**
 * Accepts the risk of an open finding of `tenantId` (as registered) for `by`. The acceptance is
 * written first (insert, so two people at once: one wins), then its event; if the event cannot be
 * written the acceptance is taken back, so none exists without its record.
 */
export async function acceptRisk(
  deps: RiskRegisterDeps,
  tenantId: string,
  input: AcceptInput,
  by: string,
  now: Date,
): Promise<RiskDecision> {
  const checked = checkAcceptInput(input, now);
  if ("problems" in checked) return { outcome: "invalid", problems: checked.problems };
  const findings = await deps.findings.listForTenant(tenantId);
  const finding = findOpen(findings, checked.ref);
  if (finding === undefined) return { outcome: "invalid", problems: [noOpenFinding(checked.ref)] };
  const acceptance: Acceptance = {
    tenantId,
    control: finding.control,
    subjectId: finding.subjectId,
    reason: checked.reason,
    acceptedBy: by,
    acceptedAt: now,
    expiresAt: checked.expiresAt,
  };
  const stored = await deps.acceptances.accept(acceptance, now);
  if (stored.outcome === "already-accepted") {
    const { acceptedBy, expiresAt } = stored.existing;
    return {
      outcome: "conflict",
      message: `This finding's risk is already accepted by ${acceptedBy} until ${expiresAt.toISOString()}; revoke that acceptance first.`,
    };
  }
  try {
    await deps.events.write(tenantId, [decisionEvent("accepted", finding, acceptance, by, now)]);
  } catch (error) {
    const written = await deps.acceptances.get(tenantId, finding.control, finding.subjectId);
    if (written) await deps.acceptances.remove(tenantId, written);
    throw error;
  }
  await refreshSummary(deps, tenantId, findings, now);
  return { outcome: "accepted", acceptance };
}

/**
 * Revokes the acceptance in force for a finding: the finding is open again (and asked about by the
 * next sweep). The conditional delete decides first, so of two people revoking at once one does it
 * and only that one is recorded; if its event cannot be written, the acceptance is put back.
 */
export async function revokeRisk(
  deps: RiskRegisterDeps,
  tenantId: string,
  input: Pick<AcceptInput, "control" | "subjectId">,
  by: string,
  now: Date,
): Promise<RiskDecision> {
  const ref = checkRef(input);
  if ("problems" in ref) return { outcome: "invalid", problems: ref.problems };
  const stored = (await deps.acceptances.listForTenant(tenantId)).find(
    ({ acceptance }) => sameFinding(acceptance, ref) && acceptance.expiresAt > now,
  );
  if (stored === undefined) return { outcome: "not-accepted", message: "No acceptance is in force for this finding." };
  if (!(await deps.acceptances.remove(tenantId, stored))) {
    return { outcome: "conflict", message: "The acceptance changed while it was being revoked; reload and try again." };
  }
  const findings = await deps.findings.listForTenant(tenantId);
  const finding = findings.find((f) => sameFinding(f, stored.acceptance));
  try {
    await deps.events.write(tenantId, [decisionEvent("acceptance-revoked", finding, stored.acceptance, by, now)]);
  } catch (error) {
    await deps.acceptances.accept(stored.acceptance, now);
    throw error;
  }
  await refreshSummary(deps, tenantId, findings, now);
  return { outcome: "revoked", acceptance: stored.acceptance };
}

function decisionEvent(
  kind: "accepted" | "acceptance-revoked",
  finding: StoredFinding | undefined,
  acceptance: Acceptance,
  by: string,
  now: Date,
): FindingEvent {
  const status = finding?.status ?? "pass";
  return {
    runId: null,
    control: acceptance.control,
    subjectId: acceptance.subjectId,
    event: kind,
    statusBefore: status,
    statusAfter: status,
    at: now,
    acceptance: { by, reason: acceptance.reason, expiresAt: acceptance.expiresAt },
  };
}

/** The summary again with the acceptances in force now; a tenant never scanned has none to refresh. */
async function refreshSummary(deps: RiskRegisterDeps, tenantId: string, findings: readonly StoredFinding[], now: Date): Promise<void> {
  const [previous, register] = await Promise.all([deps.summaries.get(tenantId), deps.acceptances.listForTenant(tenantId)]);
  if (previous === undefined) return;
  const acceptances = register.map((stored) => stored.acceptance).filter((a) => a.expiresAt > now);
  const { lastRun, changes, trend } = previous;
  await deps.summaries.put(summarize({ tenantId, findings, acceptances, lastRun, changes, trend, now }));
}

/** The open finding `ref` names. */
function findOpen(findings: readonly StoredFinding[], ref: FindingRef): StoredFinding | undefined {
  return findings.find((f) => sameFinding(f, ref) && isOpenFinding(f));
}

/** Subject ids compared without case: a caller may spell a Graph id in capitals. */
function sameFinding(a: FindingRef, b: FindingRef): boolean {
  return a.control === b.control && (a.subjectId?.toLowerCase() ?? null) === (b.subjectId?.toLowerCase() ?? null);
}

function noOpenFinding(ref: FindingRef): FieldProblem {
  const subject = ref.subjectId === null ? "the tenant" : JSON.stringify(ref.subjectId);
  return {
    field: "subjectId",
    message: `the tenant has no open ${ref.control} finding for ${subject} (it may have been resolved since the page was loaded)`,
  };
}

type Checked<T> = T | { readonly problems: FieldProblem[] };

function checkAcceptInput(input: AcceptInput, now: Date): Checked<{ ref: FindingRef; reason: string; expiresAt: Date }> {
  const ref = checkRef(input);
  const problems = "problems" in ref ? [...ref.problems] : [];
  const reason = typeof input.reason === "string" ? input.reason.trim() : "";
  if (reason.length === 0) problems.push({ field: "reason", message: "is required: say why this risk is accepted" });
  else if (reason.length > MAX_REASON_CHARS) problems.push({ field: "reason", message: `must be at most ${MAX_REASON_CHARS} characters` });
  const expiry = checkExpiry(input, now);
  if ("problems" in expiry) problems.push(...expiry.problems);
  if (problems.length > 0 || "problems" in ref || "problems" in expiry) return { problems };
  return { ref, reason, expiresAt: expiry.expiresAt };
}

function checkRef(input: Pick<AcceptInput, "control" | "subjectId">): Checked<FindingRef> {
  const problems: FieldProblem[] = [];
  const control = CONTROL_IDS.find((id) => id === input.control);
  if (control === undefined) problems.push({ field: "control", message: `must be one of ${CONTROL_IDS.join(", ")}` });
  const subjectId = input.subjectId === undefined || input.subjectId === null || input.subjectId === "" ? null : input.subjectId;
  if (subjectId !== null && (typeof subjectId !== "string" || subjectId.length > 256)) {
    problems.push({
      field: "subjectId",
      message: "must be the finding's subject id (a string of at most 256 characters), or null for the tenant",
    });
  }
  if (control === undefined || problems.length > 0) return { problems };
  return { control, subjectId: subjectId as string | null };
}

/** The expiry: after now and at most MAX_ACCEPTANCE_DAYS away; given as an instant or as days. */
function checkExpiry(input: AcceptInput, now: Date): Checked<{ expiresAt: Date }> {
  const field = input.expiresAt !== undefined ? "expiresAt" : "expiresInDays";
  const expiresAt = expiryOf(input, now);
  if (expiresAt === undefined) {
    const message =
      field === "expiresAt"
        ? "must be an ISO 8601 date and time, e.g. 2027-03-31T00:00:00Z"
        : `is required: a whole number of days from 1 to ${MAX_ACCEPTANCE_DAYS} (or give expiresAt)`;
    return { problems: [{ field, message }] };
  }
  if (expiresAt <= now) return { problems: [{ field, message: "must be in the future" }] };
  if (expiresAt.getTime() - now.getTime() > MAX_ACCEPTANCE_DAYS * DAY_MS) {
    return { problems: [{ field, message: `must be at most ${MAX_ACCEPTANCE_DAYS} days from now; accept again when it runs out` }] };
  }
  return { expiresAt };
}

/**
 * An instant with its offset (2027-02-30 is no date, and a time without an offset would be read in
 * the server's zone), or a whole number of days; undefined for anything else.
 */
function expiryOf(input: AcceptInput, now: Date): Date | undefined {
  if (input.expiresAt !== undefined) {
    return ISO_INSTANT.safeParse(input.expiresAt).success ? new Date(input.expiresAt as string) : undefined;
  }
  const days =
    typeof input.expiresInDays === "string" && /^\d{1,4}$/.test(input.expiresInDays) ? Number(input.expiresInDays) : input.expiresInDays;
  return typeof days === "number" && Number.isSafeInteger(days) ? new Date(now.getTime() + days * DAY_MS) : undefined;
}
