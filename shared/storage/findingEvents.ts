/**
 * Table `FindingEvents`: what changed, per tenant (PK tenantId) and run (RK runId|control|subject).
 * The key is deterministic, so writing a run's events again overwrites instead of duplicating.
 */
import { odata, type TableClient, type TableEntity } from "@azure/data-tables";
import { z } from "zod";
import type { FindingEvent } from "../model/stored.js";
import { controlColumn, findingStatusColumn, optionalStringColumn } from "./columns.js";
import type { TableStore } from "./connection.js";
import { assertKeySafe, findingEventRange, findingEventRowKey } from "./keys.js";
import { listAll, mapLazily, upsertInTransactions, type RawEntity, type StorageOperationOptions } from "./operations.js";

export const FINDING_EVENTS_TABLE = "FindingEvents";

export interface FindingEventsRepository {
  /** Upserts in transactions of at most 100; returns the number of transactions used. */
  write(tenantId: string, events: readonly FindingEvent[], options?: StorageOperationOptions): Promise<number>;
  /** The tenant's events of one run ("what changed since last night"), in key order. */
  listForRun(tenantId: string, runId: string, options?: StorageOperationOptions): Promise<FindingEvent[]>;
}

const findingEventEntity = z.object({
  runId: z.string(),
  control: controlColumn,
  subjectId: optionalStringColumn,
  event: z.enum(["new", "resolved", "reopened", "changed"]),
  statusBefore: findingStatusColumn.optional().transform((status) => status ?? null),
  statusAfter: findingStatusColumn,
  at: z.date(),
});

export class TableFindingEventsRepository implements FindingEventsRepository {
  readonly #store: TableStore;

  constructor(store: TableStore) {
    this.#store = store;
  }

  async write(tenantId: string, events: readonly FindingEvent[], options: StorageOperationOptions = {}): Promise<number> {
    assertKeySafe(tenantId, "tenantId");
    const entities = mapLazily(events, (event) => toEventEntity(tenantId, event));
    return upsertInTransactions(await this.#client(), entities, options);
  }

  async listForRun(tenantId: string, runId: string, options: StorageOperationOptions = {}): Promise<FindingEvent[]> {
    assertKeySafe(tenantId, "tenantId");
    const { from, to } = findingEventRange(runId);
    const filter = odata`PartitionKey eq ${tenantId} and RowKey ge ${from} and RowKey lt ${to}`;
    const entities = await listAll(await this.#client(), filter, options);
    return entities.map(toFindingEvent);
  }

  #client(): Promise<TableClient> {
    return this.#store.table(FINDING_EVENTS_TABLE);
  }
}

function toEventEntity(tenantId: string, event: FindingEvent): TableEntity {
  return {
    partitionKey: tenantId,
    rowKey: findingEventRowKey(event.runId, event.control, event.subjectId),
    runId: event.runId,
    control: event.control,
    subjectId: event.subjectId ?? undefined,
    event: event.event,
    statusBefore: event.statusBefore ?? undefined,
    statusAfter: event.statusAfter,
    at: event.at,
  };
}

function toFindingEvent(entity: RawEntity): FindingEvent {
  return findingEventEntity.parse(entity);
}
