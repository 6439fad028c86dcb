/**
 * Table `Approvals`: one row per approval request (PK tenantId, RK approvalId).
 *
 * Expiry is derived when reading, not written: a row stored as `pending` whose expiresAt has passed
 * reads back as `expired` (and cannot be decided). No timer has to sweep the table, and no write
 * can race a decision. Only decide() changes the state, pending → approved | rejected, with the
 * ETag read just before: of any number of concurrent deciders exactly one wins, which is what
 * makes a link single-use.
 */
import { odata, type TableClient, type TableEntity } from "@azure/data-tables";
import { z } from "zod";
import type { Approval, ApprovalState } from "../model/approval.js";
import { DETAIL_TRUNCATED_KEY } from "../model/evidence.js";
import type { FindingDetail } from "../model/findings.js";
import { REMEDIATION_ACTIONS, type RemediationOutcome } from "../model/remediation.js";
import { controlColumn, jsonColumn, optionalDateColumn, optionalStringColumn } from "./columns.js";
import type { TableStore } from "./connection.js";
import { isConflict, isPreconditionFailed } from "./errors.js";
import { MAX_DETAIL_CHARS } from "./findings.js";
import { assertKeySafe, assertRunId } from "./keys.js";
import { getEntityOrUndefined, listAll, type RawEntity, type StorageOperationOptions } from "./operations.js";

export const APPROVALS_TABLE = "Approvals";

export type ApprovalDecisionKind = "approved" | "rejected";

export interface ApprovalDecision {
  readonly decision: ApprovalDecisionKind;
  /** Who decided (the approver's email or sign-in name). */
  readonly decidedBy: string;
  /** When; a request whose expiresAt is not later than this is expired and cannot be decided. */
  readonly at: Date;
}

export type DecideResult =
  /** This call made the decision. */
  | { readonly won: true; readonly approval: Approval }
  /** Someone decided first, or the request expired: `approval` is what is recorded (state derived at `at`). */
  | { readonly won: false; readonly approval: Approval };

export interface ApprovalOutcomeRecord {
  readonly outcome: RemediationOutcome;
  readonly message: string;
  readonly auditId: string;
}

export interface ApprovalUndoRecord {
  /** The undo's audit row. */
  readonly auditId: string;
  readonly undoneBy: string;
  readonly at: Date;
}

export interface CreateApprovalResult {
  /** False when a request with this id existed (a re-planned run); `approval` is then the stored one. */
  readonly created: boolean;
  readonly approval: Approval;
}

export interface ListApprovalsOptions extends StorageOperationOptions {
  /** Only requests whose expiresAt is later than this instant (their links still work). */
  readonly unexpiredAt?: Date;
}

export interface ApprovalsRepository {
  /** Insert-if-absent; `approval.state` must be `pending`. */
  createIfAbsent(approval: Approval, options?: StorageOperationOptions): Promise<CreateApprovalResult>;
  get(tenantId: string, approvalId: string, options?: StorageOperationOptions): Promise<Approval | undefined>;
  /** Pending and not expired, now. */
  listPending(tenantId: string, options?: StorageOperationOptions): Promise<Approval[]>;
  listForTenant(tenantId: string, options?: ListApprovalsOptions): Promise<Approval[]>;
  /** pending → approved | rejected, exactly once. Undefined when there is no such request. */
  decide(
    tenantId: string,
    approvalId: string,
    decision: ApprovalDecision,
    options?: StorageOperationOptions,
  ): Promise<DecideResult | undefined>;
  /**
   * Records what the approved action did (the latest attempt wins). Undefined when there is no such
   * request; RangeError when it is not approved.
   */
  recordOutcome(
    tenantId: string,
    approvalId: string,
    outcome: ApprovalOutcomeRecord,
    options?: StorageOperationOptions,
  ): Promise<Approval | undefined>;
  /**
   * Records that the action this approval ran was undone (latest undo wins). Undefined when there
   * is no such request; RangeError when it is not approved.
   */
  recordUndo(
    tenantId: string,
    approvalId: string,
    undo: ApprovalUndoRecord,
    options?: StorageOperationOptions,
  ): Promise<Approval | undefined>;
}

export interface TableApprovalsRepositoryOptions {
  /** The clock that decides what has expired on read. Default: the system clock. */
  readonly now?: () => Date;
}

type StoredState = Exclude<ApprovalState, "expired">;

const approvalEntity = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  runId: z.string(),
  control: controlColumn,
  subjectId: optionalStringColumn,
  action: z.enum(REMEDIATION_ACTIONS),
  evidence: jsonColumn(z.record(z.string(), z.unknown())),
  createdAt: z.date(),
  expiresAt: z.date(),
  state: z.enum(["pending", "approved", "rejected"]),
  decidedBy: optionalStringColumn,
  decidedAt: optionalDateColumn,
  outcome: z
    .enum(["done", "stale", "refused", "permission-denied", "failed"])
    .optional()
    .transform((value) => value ?? null),
  outcomeMessage: optionalStringColumn,
  auditId: optionalStringColumn,
  undoAuditId: optionalStringColumn,
  undoneBy: optionalStringColumn,
  undoneAt: optionalDateColumn,
});

export class TableApprovalsRepository implements ApprovalsRepository {
  readonly #store: TableStore;
  readonly #now: () => Date;

  constructor(store: TableStore, options: TableApprovalsRepositoryOptions = {}) {
    this.#store = store;
    this.#now = options.now ?? (() => new Date());
  }

  async createIfAbsent(approval: Approval, options: StorageOperationOptions = {}): Promise<CreateApprovalResult> {
    if (approval.state !== "pending") throw new RangeError(`A new approval request must be pending, not ${approval.state}`);
    const client = await this.#client();
    try {
      await client.createEntity(toEntity(approval), { abortSignal: options.abortSignal });
      return { created: true, approval: { ...approval, evidence: storedEvidence(approval.evidence).evidence } };
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const existing = await this.get(approval.tenantId, approval.approvalId, options);
    if (existing === undefined)
      throw new Error(`Approval ${approval.tenantId}/${approval.approvalId} conflicted on insert but cannot be read`);
    return { created: false, approval: existing };
  }

  async get(tenantId: string, approvalId: string, options: StorageOperationOptions = {}): Promise<Approval | undefined> {
    const entity = await this.#read(tenantId, approvalId, options);
    return entity && toApproval(entity, this.#now());
  }

  async listPending(tenantId: string, options: StorageOperationOptions = {}): Promise<Approval[]> {
    assertKeySafe(tenantId, "tenantId");
    const now = this.#now();
    const filter = odata`PartitionKey eq ${tenantId} and state eq ${"pending"} and expiresAt gt ${now}`;
    return (await listAll(await this.#client(), filter, options)).map((entity) => toApproval(entity, now));
  }

  async listForTenant(tenantId: string, options: ListApprovalsOptions = {}): Promise<Approval[]> {
    assertKeySafe(tenantId, "tenantId");
    const filter =
      options.unexpiredAt === undefined
        ? odata`PartitionKey eq ${tenantId}`
        : odata`PartitionKey eq ${tenantId} and expiresAt gt ${options.unexpiredAt}`;
    const now = this.#now();
    return (await listAll(await this.#client(), filter, options)).map((entity) => toApproval(entity, now));
  }

  async decide(
    tenantId: string,
    approvalId: string,
    decision: ApprovalDecision,
    options: StorageOperationOptions = {},
  ): Promise<DecideResult | undefined> {
    if (decision.decidedBy.trim() === "") throw new RangeError("decidedBy must name who decided");
    const client = await this.#client();
    const entity = await this.#read(tenantId, approvalId, options);
    if (entity === undefined) return undefined;
    const current = toApproval(entity, decision.at);
    if (current.state !== "pending") return { won: false, approval: current };
    const change = { state: decision.decision, decidedBy: decision.decidedBy, decidedAt: decision.at };
    try {
      await client.updateEntity({ partitionKey: tenantId, rowKey: approvalId, ...change }, "Merge", {
        etag: entity.etag,
        abortSignal: options.abortSignal,
      });
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      // Another decider wrote between our read and our write: theirs is the decision.
      const after = await this.#read(tenantId, approvalId, options);
      return { won: false, approval: after ? toApproval(after, decision.at) : current };
    }
    return { won: true, approval: { ...current, ...change } };
  }

  async recordOutcome(
    tenantId: string,
    approvalId: string,
    record: ApprovalOutcomeRecord,
    options: StorageOperationOptions = {},
  ): Promise<Approval | undefined> {
    const change = { outcome: record.outcome, outcomeMessage: record.message, auditId: record.auditId };
    return this.#mergeIntoApproved(tenantId, approvalId, change, options);
  }

  async recordUndo(
    tenantId: string,
    approvalId: string,
    undo: ApprovalUndoRecord,
    options: StorageOperationOptions = {},
  ): Promise<Approval | undefined> {
    const change = { undoAuditId: undo.auditId, undoneBy: undo.undoneBy, undoneAt: undo.at };
    const updated = await this.#mergeIntoApproved(tenantId, approvalId, change, options);
    return updated && { ...updated, undo: { auditId: undo.auditId, undoneBy: undo.undoneBy, undoneAt: undo.at } };
  }

  /** Merges columns into an approved request; the state never leaves `approved`, so no ETag is needed. */
  async #mergeIntoApproved<T extends Record<string, unknown>>(
    tenantId: string,
    approvalId: string,
    change: T,
    options: StorageOperationOptions,
  ): Promise<(Approval & T) | undefined> {
    const client = await this.#client();
    const entity = await this.#read(tenantId, approvalId, options);
    if (entity === undefined) return undefined;
    const current = toApproval(entity, this.#now());
    if (current.state !== "approved") {
      throw new RangeError(`Approval ${tenantId}/${approvalId} is ${current.state}: only an approved request has an outcome`);
    }
    await client.updateEntity({ partitionKey: tenantId, rowKey: approvalId, ...change }, "Merge", {
      abortSignal: options.abortSignal,
    });
    return { ...current, ...change };
  }

  async #read(tenantId: string, approvalId: string, options: StorageOperationOptions): Promise<RawEntity | undefined> {
    assertKeySafe(tenantId, "tenantId");
    assertKeySafe(approvalId, "approvalId");
    return getEntityOrUndefined(await this.#client(), tenantId, approvalId, options);
  }

  #client(): Promise<TableClient> {
    return this.#store.table(APPROVALS_TABLE);
  }
}

/** The state a request is in at `now`: a pending request past its expiresAt is expired. */
export function approvalStateAt(stored: StoredState, expiresAt: Date, now: Date): ApprovalState {
  return stored === "pending" && expiresAt.getTime() <= now.getTime() ? "expired" : stored;
}

/** Evidence as stored: the detail, or a truncation marker when its JSON would not fit a property. */
function storedEvidence(evidence: FindingDetail): { json: string; evidence: FindingDetail } {
  const json = JSON.stringify(evidence);
  if (json.length <= MAX_DETAIL_CHARS) return { json, evidence };
  const truncated = { [DETAIL_TRUNCATED_KEY]: true, originalChars: json.length };
  return { json: JSON.stringify(truncated), evidence: truncated };
}

function toEntity(approval: Approval): TableEntity {
  assertKeySafe(approval.tenantId, "tenantId");
  assertKeySafe(approval.approvalId, "approvalId");
  assertRunId(approval.runId);
  return {
    partitionKey: approval.tenantId,
    rowKey: approval.approvalId,
    runId: approval.runId,
    control: approval.control,
    subjectId: approval.subjectId ?? undefined,
    action: approval.action,
    evidence: storedEvidence(approval.evidence).json,
    createdAt: approval.createdAt,
    expiresAt: approval.expiresAt,
    state: "pending",
  };
}

function toApproval(entity: RawEntity, now: Date): Approval {
  const row = approvalEntity.parse(entity);
  return {
    tenantId: row.partitionKey,
    approvalId: row.rowKey,
    runId: row.runId,
    control: row.control,
    subjectId: row.subjectId,
    action: row.action,
    evidence: row.evidence,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    state: approvalStateAt(row.state, row.expiresAt, now),
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
    outcome: row.outcome,
    outcomeMessage: row.outcomeMessage,
    auditId: row.auditId,
    undo:
      row.undoAuditId !== null && row.undoneBy !== null && row.undoneAt !== null
        ? { auditId: row.undoAuditId, undoneBy: row.undoneBy, undoneAt: row.undoneAt }
        : null,
  };
}
