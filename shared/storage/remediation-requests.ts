/**
 * Table `RemediationRequests`: the ticketing API's requests (version 2). PK tenantId, RK the
 * request id (`<tenantId>.<hash of tenant, ticket, action, subject>`), so asking twice for the same
 * thing names the same row, and an insert (409 when it exists) decides which of any number of racing
 * calls owns the action. Every later change is ETag-conditional: one writer wins each transition.
 *
 * Idempotency keys live in the same table under PK `key|<callerId>`, RK the key's SHA-256: the
 * request a caller's key was first used for, and a fingerprint of that body (a key reused for another
 * body is refused, not silently answered with the first request).
 */
import { createHash } from "node:crypto";
import { odata, type TableClient, type TableEntity } from "@azure/data-tables";
import { z } from "zod";
import {
  API_REMEDIATION_STATES,
  type ApiRemediation,
  type ApiRemediationState,
  type ApiRemediationUndo,
} from "../model/api-remediation.js";
import { REMEDIATION_ACTIONS, type RemediationResult } from "../model/remediation.js";
import { controlColumn, jsonColumn, optionalStringColumn } from "./columns.js";
import type { TableStore } from "./connection.js";
import { isConflict, isPreconditionFailed } from "./errors.js";
import { assertKeySafe, KEY_SEPARATOR } from "./keys.js";
import { getEntityOrUndefined, type RawEntity, type StorageOperationOptions } from "./operations.js";

export const REMEDIATION_REQUESTS_TABLE = "RemediationRequests";

/** A row and the ETag it was read (or written) with: the next change is conditional on it. */
export interface Versioned<T> {
  readonly value: T;
  readonly etag: string;
}

export interface IdempotencyKeyUse {
  readonly tenantId: string;
  readonly requestId: string;
  /** SHA-256 of the request body as the caller sent it, normalised (see bodyFingerprint). */
  readonly fingerprint: string;
}

export interface ListRequestsOptions extends StorageOperationOptions {
  readonly ticketId?: string;
  readonly state?: ApiRemediationState;
  /** Page size, 1–100. */
  readonly limit: number;
  /** From the previous page's nextPageToken. */
  readonly pageToken?: string;
}

export interface RequestsPage {
  readonly items: readonly ApiRemediation[];
  /** Undefined on the last page. */
  readonly nextPageToken: string | undefined;
}

export interface RemediationRequestsRepository {
  /** Insert-if-absent: the stored row and whether this call created it. */
  create(request: ApiRemediation, options?: StorageOperationOptions): Promise<{ readonly created: boolean } & Versioned<ApiRemediation>>;
  get(tenantId: string, id: string, options?: StorageOperationOptions): Promise<Versioned<ApiRemediation> | undefined>;
  /** Replaces the row if it still has `etag`: the new ETag, or undefined when someone else wrote first. */
  replace(request: ApiRemediation, etag: string, options?: StorageOperationOptions): Promise<string | undefined>;
  list(tenantId: string, options: ListRequestsOptions): Promise<RequestsPage>;
  /** Records the key's first use, or returns that first use when the key was seen before. */
  useIdempotencyKey(callerId: string, key: string, use: IdempotencyKeyUse, options?: StorageOperationOptions): Promise<IdempotencyKeyUse>;
}

/** Hex characters of the natural key's hash in a request id (96 bits). */
const ID_HASH_CHARS = 24;
const REQUEST_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([0-9a-f]{24})$/;

/** The request id of (tenant, ticket, action, subject): the same four always give the same id. */
export function requestIdFor(natural: Pick<ApiRemediation, "tenantId" | "ticketId" | "action" | "subjectId">): string {
  const tenantId = natural.tenantId.toLowerCase();
  const hash = createHash("sha256")
    .update(JSON.stringify([tenantId, natural.ticketId, natural.action, natural.subjectId]))
    .digest("hex");
  return `${tenantId}.${hash.slice(0, ID_HASH_CHARS)}`;
}

/** The tenant a request id belongs to, or undefined when the text is not a request id. */
export function tenantOfRequestId(id: string): string | undefined {
  return REQUEST_ID.exec(id)?.[1];
}

const resultSchema = z.object({
  outcome: z.enum(["done", "stale", "refused", "permission-denied", "failed"]),
  message: z.string(),
  auditId: z.string(),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  graphRequestId: z.string().nullable(),
}) satisfies z.ZodType<RemediationResult>;

const undoSchema = z.object({
  state: z.enum(["running", "done", "stale", "refused", "permission-denied", "failed"]),
  requestedBy: z.string(),
  requestedAt: z.coerce.date(),
  result: resultSchema.nullable(),
}) satisfies z.ZodType<ApiRemediationUndo, unknown>;

const requestEntity = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  callerId: z.string(),
  ticketId: z.string(),
  action: z.enum(REMEDIATION_ACTIONS),
  control: controlColumn,
  subjectId: optionalStringColumn,
  requestedBy: z.string(),
  reason: z.string(),
  callbackUrl: optionalStringColumn,
  state: z.enum(API_REMEDIATION_STATES),
  createdAt: z.date(),
  updatedAt: z.date(),
  approvalId: optionalStringColumn,
  result: jsonColumn(resultSchema)
    .optional()
    .transform((value) => value ?? null),
  undo: jsonColumn(undoSchema)
    .optional()
    .transform((value) => value ?? null),
});

const keyEntity = z.object({ tenantId: z.string(), requestId: z.string(), fingerprint: z.string() });

export class TableRemediationRequestsRepository implements RemediationRequestsRepository {
  readonly #store: TableStore;

  constructor(store: TableStore) {
    this.#store = store;
  }

  async create(request: ApiRemediation, options: StorageOperationOptions = {}) {
    const client = await this.#client();
    try {
      const written = await client.createEntity(toEntity(request), { abortSignal: options.abortSignal });
      return { created: true, value: request, etag: written.etag ?? "" };
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const stored = await this.get(request.tenantId, request.id, options);
    if (!stored) throw new Error(`Remediation request ${request.id} conflicted on insert but cannot be read`);
    return { created: false, ...stored };
  }

  async get(tenantId: string, id: string, options: StorageOperationOptions = {}): Promise<Versioned<ApiRemediation> | undefined> {
    assertKeySafe(tenantId, "tenantId");
    assertKeySafe(id, "request id");
    const entity = await getEntityOrUndefined(await this.#client(), tenantId, id, options);
    return entity && { value: toRequest(entity), etag: entity.etag };
  }

  async replace(request: ApiRemediation, etag: string, options: StorageOperationOptions = {}): Promise<string | undefined> {
    try {
      const written = await (await this.#client()).updateEntity(toEntity(request), "Replace", { etag, abortSignal: options.abortSignal });
      return written.etag ?? "";
    } catch (error) {
      if (isPreconditionFailed(error)) return undefined;
      throw error;
    }
  }

  async list(tenantId: string, options: ListRequestsOptions): Promise<RequestsPage> {
    assertKeySafe(tenantId, "tenantId");
    let filter = odata`PartitionKey eq ${tenantId}`;
    if (options.ticketId !== undefined) filter += odata` and ticketId eq ${options.ticketId}`;
    if (options.state !== undefined) filter += odata` and state eq ${options.state}`;
    const pages = (await this.#client())
      .listEntities<Record<string, unknown>>({ queryOptions: { filter }, abortSignal: options.abortSignal })
      .byPage({ maxPageSize: options.limit, ...(options.pageToken === undefined ? {} : { continuationToken: options.pageToken }) });
    const first = await pages.next();
    if (first.done === true) return { items: [], nextPageToken: undefined };
    return { items: first.value.map(toRequest), nextPageToken: first.value.continuationToken };
  }

  async useIdempotencyKey(
    callerId: string,
    key: string,
    use: IdempotencyKeyUse,
    options: StorageOperationOptions = {},
  ): Promise<IdempotencyKeyUse> {
    const partitionKey = `key${KEY_SEPARATOR}${callerId}`;
    assertKeySafe(partitionKey, "callerId");
    const rowKey = createHash("sha256").update(key).digest("hex");
    const client = await this.#client();
    try {
      await client.createEntity({ partitionKey, rowKey, ...use }, { abortSignal: options.abortSignal });
      return use;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const first = await getEntityOrUndefined(client, partitionKey, rowKey, options);
    if (!first) throw new Error(`Idempotency key of ${callerId} conflicted on insert but cannot be read`);
    return keyEntity.parse(first);
  }

  #client(): Promise<TableClient> {
    return this.#store.table(REMEDIATION_REQUESTS_TABLE);
  }
}

function toEntity(request: ApiRemediation): TableEntity {
  assertKeySafe(request.tenantId, "tenantId");
  assertKeySafe(request.id, "request id");
  return {
    partitionKey: request.tenantId,
    rowKey: request.id,
    callerId: request.callerId,
    ticketId: request.ticketId,
    action: request.action,
    control: request.control,
    subjectId: request.subjectId ?? undefined,
    requestedBy: request.requestedBy,
    reason: request.reason,
    callbackUrl: request.callbackUrl ?? undefined,
    state: request.state,
    createdAt: request.createdAt,
    updatedAt: request.updatedAt,
    approvalId: request.approvalId ?? undefined,
    result: request.result === null ? undefined : JSON.stringify(request.result),
    undo: request.undo === null ? undefined : JSON.stringify(request.undo),
  };
}

function toRequest(entity: RawEntity): ApiRemediation {
  const { partitionKey, rowKey, ...row } = requestEntity.parse(entity);
  return { ...row, tenantId: partitionKey, id: rowKey };
}
