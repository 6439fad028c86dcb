/**
 * Table `Digests`: the approval digest of one tenant and run (PK tenantId, RK runId), written
 * BEFORE the email goes out so a re-run sends it once. A crash between the send and markSent
 * leaves the record `sending`; the next attempt takes it over and sends again (at least once:
 * possibly twice, never zero times). There is no lease: a `sending` record cannot tell a crashed
 * attempt from a running one, so this relies on one worker per tenant and run (startTenantRun);
 * the ETag only keeps two attempts that read the same record from both taking it over.
 */
import type { TableClient, TableEntity } from "@azure/data-tables";
import { z } from "zod";
import { jsonColumn, optionalDateColumn } from "./columns.js";
import type { TableStore } from "./connection.js";
import { isConflict, isPreconditionFailed } from "./errors.js";
import { assertKeySafe, assertRunId } from "./keys.js";
import { getEntityOrUndefined, type RawEntity, type StorageOperationOptions } from "./operations.js";

export const DIGESTS_TABLE = "Digests";

export type DigestStatus = "sending" | "sent";

export interface DigestRecord {
  readonly tenantId: string;
  readonly runId: string;
  readonly status: DigestStatus;
  /** How many approval requests the email lists. */
  readonly approvalCount: number;
  readonly recipients: readonly string[];
  /** 1 for the first send; each takeover of a `sending` record adds one. */
  readonly attempts: number;
  readonly startedAt: Date;
  readonly sentAt: Date | null;
}

export interface DigestClaimRequest {
  /** How many approval requests the email lists. */
  readonly approvalCount: number;
  readonly recipients: readonly string[];
  readonly at: Date;
}

export type DigestClaim =
  /** This caller sends now: first attempt, or takeover of an unfinished one. */
  | { readonly claimed: true; readonly digest: DigestRecord }
  /** Already sent, or another caller took the record over just now: do not send. */
  | { readonly claimed: false; readonly digest: DigestRecord | undefined };

export interface DigestsRepository {
  /** Insert `sending`; or take over a `sending` record (ETag-conditional); never a `sent` one. */
  claim(tenantId: string, runId: string, request: DigestClaimRequest, options?: StorageOperationOptions): Promise<DigestClaim>;
  markSent(tenantId: string, runId: string, at: Date, options?: StorageOperationOptions): Promise<void>;
  get(tenantId: string, runId: string, options?: StorageOperationOptions): Promise<DigestRecord | undefined>;
}

const digestEntity = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  status: z.enum(["sending", "sent"]),
  approvalCount: z.number(),
  recipients: jsonColumn(z.array(z.string())),
  attempts: z.number(),
  startedAt: z.date(),
  sentAt: optionalDateColumn,
});

export class TableDigestsRepository implements DigestsRepository {
  readonly #store: TableStore;

  constructor(store: TableStore) {
    this.#store = store;
  }

  async claim(tenantId: string, runId: string, request: DigestClaimRequest, options: StorageOperationOptions = {}): Promise<DigestClaim> {
    const client = await this.#client();
    const first: DigestRecord = { tenantId, runId, status: "sending", ...request, attempts: 1, startedAt: request.at, sentAt: null };
    try {
      await client.createEntity(toEntity(first), { abortSignal: options.abortSignal });
      return { claimed: true, digest: first };
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const existing = await this.#read(tenantId, runId, options);
    if (existing === undefined) throw new Error(`Digest ${tenantId}/${runId} conflicted on insert but cannot be read`);
    const current = toDigest(existing);
    if (current.status === "sent") return { claimed: false, digest: current };
    const takeover: DigestRecord = { ...first, attempts: current.attempts + 1 };
    try {
      await client.updateEntity(toEntity(takeover), "Replace", { etag: existing.etag, abortSignal: options.abortSignal });
      return { claimed: true, digest: takeover };
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      return { claimed: false, digest: await this.get(tenantId, runId, options) };
    }
  }

  async markSent(tenantId: string, runId: string, at: Date, options: StorageOperationOptions = {}): Promise<void> {
    assertKeySafe(tenantId, "tenantId");
    assertRunId(runId);
    const client = await this.#client();
    await client.updateEntity({ partitionKey: tenantId, rowKey: runId, status: "sent", sentAt: at }, "Merge", {
      abortSignal: options.abortSignal,
    });
  }

  async get(tenantId: string, runId: string, options: StorageOperationOptions = {}): Promise<DigestRecord | undefined> {
    const entity = await this.#read(tenantId, runId, options);
    return entity && toDigest(entity);
  }

  async #read(tenantId: string, runId: string, options: StorageOperationOptions): Promise<RawEntity | undefined> {
    assertKeySafe(tenantId, "tenantId");
    assertRunId(runId);
    return getEntityOrUndefined(await this.#client(), tenantId, runId, options);
  }

  #client(): Promise<TableClient> {
    return this.#store.table(DIGESTS_TABLE);
  }
}

function toEntity(digest: DigestRecord): TableEntity {
  assertKeySafe(digest.tenantId, "tenantId");
  assertRunId(digest.runId);
  return {
    partitionKey: digest.tenantId,
    rowKey: digest.runId,
    status: digest.status,
    approvalCount: digest.approvalCount,
    recipients: JSON.stringify(digest.recipients),
    attempts: digest.attempts,
    startedAt: digest.startedAt,
    sentAt: digest.sentAt ?? undefined,
  };
}

function toDigest(entity: RawEntity): DigestRecord {
  const { partitionKey, rowKey, ...row } = digestEntity.parse(entity);
  return { tenantId: partitionKey, runId: rowKey, ...row };
}
