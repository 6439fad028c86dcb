/**
 * Table `Deliveries`: the delivery log of outbound events, one row per tenant, run and sink (PK
 * tenantId, RK runId|sinkId). A delivery is claimed here BEFORE anything is sent and its outcome
 * written after, so a queue's duplicate or retried message never sends a delivered message again.
 * A crash between the send and the outcome leaves the row `sending`: once its claim is older than
 * the longest a send can take, the next attempt takes it over (the receiver may then get it twice,
 * with the same delivery id and externalIds, and drops the copy).
 */
import { odata, type TableClient, type TableEntity } from "@azure/data-tables";
import { z } from "zod";
import { SINK_KINDS, type SinkKind } from "../model/events.js";
import { optionalDateColumn } from "./columns.js";
import type { TableStore } from "./connection.js";
import { isConflict, isPreconditionFailed } from "./errors.js";
import { assertKeySafe, assertRunId, KEY_SEPARATOR } from "./keys.js";
import { getEntityOrUndefined, listAll, type RawEntity, type StorageOperationOptions } from "./operations.js";

export const DELIVERIES_TABLE = "Deliveries";

export const DELIVERY_STATUSES = ["sending", "retrying", "delivered", "dead", "skipped"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** A row in one of these is final: no attempt claims it again. */
const FINAL: readonly DeliveryStatus[] = ["delivered", "dead", "skipped"];

export interface DeliveryRecord {
  readonly tenantId: string;
  readonly runId: string;
  readonly sinkId: string;
  readonly sinkKind: SinkKind;
  readonly status: DeliveryStatus;
  /** 1 for the first attempt; each claim adds one. */
  readonly attempts: number;
  readonly claimedAt: Date;
  readonly updatedAt: Date;
  /** The receiver's HTTP status of the last attempt (null: no answer, or not an HTTP sink). */
  readonly statusCode: number | null;
  /** Why the last attempt failed or was skipped, control characters escaped. */
  readonly lastError: string | null;
  /** Events the message carried. */
  readonly eventCount: number;
  readonly nextAttemptAt: Date | null;
}

export interface DeliveryOutcome {
  readonly status: Exclude<DeliveryStatus, "sending">;
  readonly at: Date;
  readonly statusCode?: number;
  readonly lastError?: string;
  readonly eventCount?: number;
  readonly nextAttemptAt?: Date;
}

export interface DeliveryClaimRequest {
  readonly sinkKind: SinkKind;
  readonly at: Date;
  /** How long a `sending` claim holds before another attempt may take it over. */
  readonly claimTtlInMs: number;
}

export type DeliveryClaim =
  /** This caller sends now (first attempt, a retry, or the takeover of a stale claim). */
  | { readonly claimed: true; readonly delivery: DeliveryRecord }
  /** Delivered, dead or skipped already: nothing to do. */
  | { readonly claimed: false; readonly reason: "final"; readonly delivery: DeliveryRecord }
  /** Another attempt holds a fresh claim (or took it over just now): try again at `retryAt`. */
  | { readonly claimed: false; readonly reason: "busy"; readonly retryAt: Date };

export interface DeliveriesRepository {
  claim(
    tenantId: string,
    runId: string,
    sinkId: string,
    request: DeliveryClaimRequest,
    options?: StorageOperationOptions,
  ): Promise<DeliveryClaim>;
  /** Records how the claimed attempt ended. */
  finish(tenantId: string, runId: string, sinkId: string, outcome: DeliveryOutcome, options?: StorageOperationOptions): Promise<void>;
  get(tenantId: string, runId: string, sinkId: string, options?: StorageOperationOptions): Promise<DeliveryRecord | undefined>;
  /** Every sink's delivery of one tenant's run. */
  listForRun(tenantId: string, runId: string, options?: StorageOperationOptions): Promise<DeliveryRecord[]>;
}

const deliveryEntity = z.object({
  partitionKey: z.string(),
  sinkId: z.string(),
  runId: z.string(),
  sinkKind: z.enum(SINK_KINDS),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number(),
  claimedAt: z.date(),
  updatedAt: z.date(),
  /** 0 when the last attempt got no HTTP answer. */
  statusCode: z
    .number()
    .optional()
    .transform((v) => (v === undefined || v === 0 ? null : v)),
  lastError: z
    .string()
    .optional()
    .transform((v) => v ?? null),
  eventCount: z
    .number()
    .optional()
    .transform((v) => v ?? 0),
  nextAttemptAt: optionalDateColumn,
});

export class TableDeliveriesRepository implements DeliveriesRepository {
  readonly #store: TableStore;

  constructor(store: TableStore) {
    this.#store = store;
  }

  async claim(
    tenantId: string,
    runId: string,
    sinkId: string,
    request: DeliveryClaimRequest,
    options: StorageOperationOptions = {},
  ): Promise<DeliveryClaim> {
    const client = await this.#client();
    const first: DeliveryRecord = {
      tenantId,
      runId,
      sinkId,
      sinkKind: request.sinkKind,
      status: "sending",
      attempts: 1,
      claimedAt: request.at,
      updatedAt: request.at,
      statusCode: null,
      lastError: null,
      eventCount: 0,
      nextAttemptAt: null,
    };
    try {
      await client.createEntity(toEntity(first), { abortSignal: options.abortSignal });
      return { claimed: true, delivery: first };
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const existing = await this.#read(tenantId, runId, sinkId, options);
    if (existing === undefined) throw new Error(`Delivery ${tenantId}/${runId}/${sinkId} conflicted on insert but cannot be read`);
    const current = toDelivery(existing);
    if (FINAL.includes(current.status)) return { claimed: false, reason: "final", delivery: current };
    const heldUntil = new Date(current.claimedAt.getTime() + request.claimTtlInMs);
    if (current.status === "sending" && heldUntil > request.at) return { claimed: false, reason: "busy", retryAt: heldUntil };
    const next: DeliveryRecord = {
      ...current,
      status: "sending",
      attempts: current.attempts + 1,
      claimedAt: request.at,
      updatedAt: request.at,
    };
    try {
      await client.updateEntity(toEntity(next), "Replace", { etag: existing.etag, abortSignal: options.abortSignal });
      return { claimed: true, delivery: next };
    } catch (error) {
      if (!isPreconditionFailed(error)) throw error;
      return { claimed: false, reason: "busy", retryAt: new Date(request.at.getTime() + request.claimTtlInMs) };
    }
  }

  async finish(
    tenantId: string,
    runId: string,
    sinkId: string,
    outcome: DeliveryOutcome,
    options: StorageOperationOptions = {},
  ): Promise<void> {
    const client = await this.#client();
    const { status, at, statusCode, lastError, eventCount, nextAttemptAt } = outcome;
    await client.updateEntity(
      // Merge cannot remove a column: the fields of an earlier attempt are overwritten, with "" / 0 for none.
      {
        partitionKey: tenantId,
        rowKey: deliveryRowKey(runId, sinkId),
        status,
        updatedAt: at,
        statusCode: statusCode ?? 0,
        lastError: lastError ?? "",
        ...(eventCount === undefined ? {} : { eventCount }),
        ...(nextAttemptAt === undefined ? {} : { nextAttemptAt }),
      },
      "Merge",
      { abortSignal: options.abortSignal },
    );
  }

  async get(tenantId: string, runId: string, sinkId: string, options: StorageOperationOptions = {}): Promise<DeliveryRecord | undefined> {
    const entity = await this.#read(tenantId, runId, sinkId, options);
    return entity && toDelivery(entity);
  }

  async listForRun(tenantId: string, runId: string, options: StorageOperationOptions = {}): Promise<DeliveryRecord[]> {
    assertKeySafe(tenantId, "tenantId");
    assertRunId(runId);
    const from = `${runId}${KEY_SEPARATOR}`;
    const to = `${runId}${String.fromCharCode(KEY_SEPARATOR.charCodeAt(0) + 1)}`;
    const filter = odata`PartitionKey eq ${tenantId} and RowKey ge ${from} and RowKey lt ${to}`;
    return (await listAll(await this.#client(), filter, options)).map(toDelivery);
  }

  #read(tenantId: string, runId: string, sinkId: string, options: StorageOperationOptions): Promise<RawEntity | undefined> {
    assertKeySafe(tenantId, "tenantId");
    return this.#client().then((client) => getEntityOrUndefined(client, tenantId, deliveryRowKey(runId, sinkId), options));
  }

  #client(): Promise<TableClient> {
    return this.#store.table(DELIVERIES_TABLE);
  }
}

function deliveryRowKey(runId: string, sinkId: string): string {
  assertRunId(runId);
  assertKeySafe(sinkId, "sinkId");
  if (sinkId.includes(KEY_SEPARATOR)) throw new RangeError(`sinkId cannot contain ${KEY_SEPARATOR}`);
  return `${runId}${KEY_SEPARATOR}${sinkId}`;
}

function toEntity(delivery: DeliveryRecord): TableEntity {
  assertKeySafe(delivery.tenantId, "tenantId");
  return {
    partitionKey: delivery.tenantId,
    rowKey: deliveryRowKey(delivery.runId, delivery.sinkId),
    runId: delivery.runId,
    sinkId: delivery.sinkId,
    sinkKind: delivery.sinkKind,
    status: delivery.status,
    attempts: delivery.attempts,
    claimedAt: delivery.claimedAt,
    updatedAt: delivery.updatedAt,
    statusCode: delivery.statusCode ?? undefined,
    lastError: delivery.lastError ?? undefined,
    eventCount: delivery.eventCount,
    nextAttemptAt: delivery.nextAttemptAt ?? undefined,
  };
}

function toDelivery(entity: RawEntity): DeliveryRecord {
  const { partitionKey, lastError, ...row } = deliveryEntity.parse(entity);
  return { tenantId: partitionKey, ...row, lastError: lastError === "" ? null : lastError };
}
