/**
 * Table `Audit`: one row per remediation attempt (apply or undo), whatever its outcome. PK tenantId,
 * RK = descending time key + `|` + auditId, so a tenant's newest attempts read first.
 *
 * Rows are inserted, never updated and never deleted by the product: the repository has no method
 * that could do either. An audit id carries its own timestamp (`20260128T020000.123Z-9f2c4e1a7b3d`),
 * so `get` is a point read without a scan.
 */
import { randomBytes } from "node:crypto";
import { odata, type TableClient, type TableEntity } from "@azure/data-tables";
import { z } from "zod";
import type { ControlId } from "../model/findings.js";
import { REMEDIATION_ACTIONS, type RemediationAction, type RemediationChannel, type RemediationOutcome } from "../model/remediation.js";
import { controlColumn, jsonColumn, optionalStringColumn } from "./columns.js";
import type { TableStore } from "./connection.js";
import { assertKeySafe, descendingRunKey, KEY_SEPARATOR, runIdAt } from "./keys.js";
import { getEntityOrUndefined, listAll, type RawEntity, type StorageOperationOptions } from "./operations.js";

export const AUDIT_TABLE = "Audit";

/** A string property holds at most 32K UTF-16 chars; leave room like the findings detail does. */
export const MAX_AUDIT_COLUMN_CHARS = 30_000;

export type AuditMode = "apply" | "undo";

/** The state an action read or wrote, as plain JSON (e.g. `{ accountEnabled: true }`). */
export type AuditState = Readonly<Record<string, unknown>>;

export interface AuditEntry {
  readonly tenantId: string;
  readonly auditId: string;
  /** When the row was written (wall clock). */
  readonly at: Date;
  readonly channel: RemediationChannel;
  readonly requestedBy: string;
  /** Null only for an undo whose audit id named nothing this tenant did. */
  readonly action: RemediationAction | null;
  readonly mode: AuditMode;
  readonly subjectId: string | null;
  readonly control: ControlId | null;
  readonly approvalId: string | null;
  /** For mode `undo`: the audit id of the attempt being undone. */
  readonly undoOf: string | null;
  /** State read just before acting (null when nothing was read). */
  readonly before: AuditState | null;
  /** State after a change; null when nothing was changed. */
  readonly after: AuditState | null;
  /** Graph request-id of the write (or of the failed request). */
  readonly graphRequestId: string | null;
  readonly outcome: RemediationOutcome;
  readonly message: string;
}

/** What `record` needs: the repository mints the audit id; `at` defaults to now. */
export type NewAuditEntry = Omit<AuditEntry, "auditId" | "at"> & { readonly at?: Date };

export interface ListAuditOptions extends StorageOperationOptions {
  /** At most this many rows, newest first. Default 50. */
  readonly limit?: number;
}

export interface AuditRepository {
  /** Inserts one row and returns it with its audit id. Never overwrites. */
  record(entry: NewAuditEntry, options?: StorageOperationOptions): Promise<AuditEntry>;
  /** Undefined when the tenant has no such row. RangeError for a string that is not an audit id. */
  get(tenantId: string, auditId: string, options?: StorageOperationOptions): Promise<AuditEntry | undefined>;
  /** Newest first. */
  listForTenant(tenantId: string, options?: ListAuditOptions): Promise<AuditEntry[]>;
  /**
   * Rows of `action` recorded after audit row `auditId` (newest first), for any subject: callers
   * filter by subject (tenant-level rows have none, which a table filter cannot match).
   */
  listActionAfter(tenantId: string, auditId: string, action: RemediationAction, options?: StorageOperationOptions): Promise<AuditEntry[]>;
}

export const DEFAULT_AUDIT_LIST_LIMIT = 50;

const AUDIT_ID = /^(\d{8}T\d{6}\.\d{3}Z)-([0-9a-f]{12})$/;

export function isAuditId(value: string): boolean {
  return AUDIT_ID.test(value);
}

/** A fresh audit id for an attempt recorded at `at`: its compact UTC time plus 48 random bits. */
export function newAuditId(at: Date): string {
  return `${runIdAt(at)}-${randomBytes(6).toString("hex")}`;
}

/** Row key: the descending form of the id's time (newest first), then the id itself. */
export function auditRowKey(auditId: string): string {
  const match = AUDIT_ID.exec(auditId);
  if (!match?.[1]) throw new RangeError(`Not an audit id (expected e.g. 20260128T020000.123Z-9f2c4e1a7b3d): ${auditId}`);
  return `${descendingRunKey(match[1])}${KEY_SEPARATOR}${auditId}`;
}

/** A mapped type, so a new outcome fails to compile until it is listed here. */
const OUTCOMES: { readonly [O in RemediationOutcome]: O } = {
  done: "done",
  stale: "stale",
  refused: "refused",
  "permission-denied": "permission-denied",
  failed: "failed",
};

const optionalJsonState = jsonColumn(z.record(z.string(), z.unknown()))
  .optional()
  .transform((value) => value ?? null);

const auditEntity = z.object({
  partitionKey: z.string(),
  auditId: z.string(),
  at: z.date(),
  channel: z.enum(["approval", "api"]),
  requestedBy: z.string(),
  action: z
    .enum(REMEDIATION_ACTIONS)
    .optional()
    .transform((value) => value ?? null),
  mode: z.enum(["apply", "undo"]),
  subjectId: optionalStringColumn,
  control: controlColumn.optional().transform((value) => value ?? null),
  approvalId: optionalStringColumn,
  undoOf: optionalStringColumn,
  before: optionalJsonState,
  after: optionalJsonState,
  graphRequestId: optionalStringColumn,
  outcome: z.enum(OUTCOMES),
  message: z.string(),
});

export class TableAuditRepository implements AuditRepository {
  readonly #store: TableStore;

  constructor(store: TableStore) {
    this.#store = store;
  }

  async record(entry: NewAuditEntry, options: StorageOperationOptions = {}): Promise<AuditEntry> {
    assertKeySafe(entry.tenantId, "tenantId");
    const at = entry.at ?? new Date();
    const stored: AuditEntry = { ...entry, at, auditId: newAuditId(at) };
    // createEntity is an insert: a (practically impossible) id collision fails with 409 instead of overwriting.
    await (await this.#client()).createEntity(toAuditEntity(stored), { abortSignal: options.abortSignal });
    return stored;
  }

  async get(tenantId: string, auditId: string, options: StorageOperationOptions = {}): Promise<AuditEntry | undefined> {
    assertKeySafe(tenantId, "tenantId");
    const entity = await getEntityOrUndefined(await this.#client(), tenantId, auditRowKey(auditId), options);
    return entity && toAuditEntry(entity);
  }

  async listForTenant(tenantId: string, options: ListAuditOptions = {}): Promise<AuditEntry[]> {
    assertKeySafe(tenantId, "tenantId");
    const limit = options.limit ?? DEFAULT_AUDIT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer: ${limit}`);
    const client = await this.#client();
    const pages = client
      .listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${tenantId}` },
        abortSignal: options.abortSignal,
      })
      .byPage({ maxPageSize: Math.min(limit, 1000) });
    const entries: AuditEntry[] = [];
    for await (const page of pages) {
      for (const entity of page) {
        entries.push(toAuditEntry(entity));
        if (entries.length === limit) return entries;
      }
    }
    return entries;
  }

  async listActionAfter(
    tenantId: string,
    auditId: string,
    action: RemediationAction,
    options: StorageOperationOptions = {},
  ): Promise<AuditEntry[]> {
    assertKeySafe(tenantId, "tenantId");
    // Row keys run newest first, so "recorded after" is "sorts before".
    const filter = odata`PartitionKey eq ${tenantId} and RowKey lt ${auditRowKey(auditId)} and action eq ${action}`;
    return (await listAll(await this.#client(), filter, options)).map(toAuditEntry);
  }

  #client(): Promise<TableClient> {
    return this.#store.table(AUDIT_TABLE);
  }
}

function toAuditEntity(entry: AuditEntry): TableEntity {
  const entity = {
    partitionKey: entry.tenantId,
    rowKey: auditRowKey(entry.auditId),
    auditId: entry.auditId,
    at: entry.at,
    channel: entry.channel,
    requestedBy: entry.requestedBy,
    action: entry.action ?? undefined,
    mode: entry.mode,
    subjectId: entry.subjectId ?? undefined,
    control: entry.control ?? undefined,
    approvalId: entry.approvalId ?? undefined,
    undoOf: entry.undoOf ?? undefined,
    before: entry.before === null ? undefined : JSON.stringify(entry.before),
    after: entry.after === null ? undefined : JSON.stringify(entry.after),
    graphRequestId: entry.graphRequestId ?? undefined,
    outcome: entry.outcome,
    message: entry.message,
  };
  for (const [name, value] of Object.entries(entity)) {
    if (typeof value === "string" && value.length > MAX_AUDIT_COLUMN_CHARS) {
      throw new RangeError(`Audit column ${name} is longer than ${MAX_AUDIT_COLUMN_CHARS} chars`);
    }
  }
  return entity;
}

function toAuditEntry(entity: RawEntity): AuditEntry {
  const { partitionKey, ...row } = auditEntity.parse(entity);
  return { tenantId: partitionKey, ...row };
}
