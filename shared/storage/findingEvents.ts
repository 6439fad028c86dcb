/**
 * Table `FindingEvents`: what changed, per tenant (PK tenantId). Row keys start with the run id (or,
 * for a person's accept or revoke, the instant in run-id form), so the partition reads in time order
 * and one run's events are one key range. A sweep's keys are deterministic, so writing a run's events
 * again overwrites instead of duplicating.
 */
import { odata, type TableClient, type TableEntity } from "@azure/data-tables";
import { z } from "zod";
import { FINDING_EVENT_KINDS, isAcceptanceEvent, type FindingEvent } from "../model/stored.js";
import { controlColumn, findingStatusColumn, optionalDateColumn, optionalStringColumn } from "./columns.js";
import type { TableStore } from "./connection.js";
import { assertKeySafe, findingEventRange, findingEventRowKey, runIdAt } from "./keys.js";
import {
  listAll,
  listPage,
  mapLazily,
  upsertInTransactions,
  type PageRequest,
  type RawEntity,
  type StorageOperationOptions,
} from "./operations.js";

export const FINDING_EVENTS_TABLE = "FindingEvents";

export interface FindingEventsPage {
  readonly events: FindingEvent[];
  readonly continuation: string | undefined;
}

export interface FindingEventsRepository {
  /** Upserts in transactions of at most 100; returns the number of transactions used. */
  write(tenantId: string, events: readonly FindingEvent[], options?: StorageOperationOptions): Promise<number>;
  /** The tenant's events of one run ("what changed since last night"), in key order. */
  listForRun(tenantId: string, runId: string, options?: StorageOperationOptions): Promise<FindingEvent[]>;
  /** One page of the tenant's events from runs (and acceptances) at or after `since`, oldest first. */
  listSince(tenantId: string, since: Date, request: PageRequest): Promise<FindingEventsPage>;
}

const findingEventEntity = z.object({
  runId: optionalStringColumn,
  control: controlColumn,
  subjectId: optionalStringColumn,
  event: z.enum(FINDING_EVENT_KINDS),
  statusBefore: findingStatusColumn.optional().transform((status) => status ?? null),
  statusAfter: findingStatusColumn,
  at: z.date(),
  acceptedBy: optionalStringColumn,
  acceptanceReason: optionalStringColumn,
  acceptanceExpiresAt: optionalDateColumn,
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

  async listSince(tenantId: string, since: Date, request: PageRequest): Promise<FindingEventsPage> {
    assertKeySafe(tenantId, "tenantId");
    const filter = odata`PartitionKey eq ${tenantId} and RowKey ge ${runIdAt(since)}`;
    const page = await listPage(await this.#client(), filter, request);
    return { events: page.entities.map(toFindingEvent), continuation: page.continuation };
  }

  #client(): Promise<TableClient> {
    return this.#store.table(FINDING_EVENTS_TABLE);
  }
}

function toEventEntity(tenantId: string, event: FindingEvent): TableEntity {
  const acceptance = event.acceptance;
  return {
    partitionKey: tenantId,
    rowKey: findingEventRowKey(
      event.runId ?? runIdAt(event.at),
      event.control,
      event.subjectId,
      isAcceptanceEvent(event.event) ? event.event : undefined,
    ),
    runId: event.runId ?? undefined,
    control: event.control,
    subjectId: event.subjectId ?? undefined,
    event: event.event,
    statusBefore: event.statusBefore ?? undefined,
    statusAfter: event.statusAfter,
    at: event.at,
    acceptedBy: acceptance?.by,
    acceptanceReason: acceptance?.reason,
    acceptanceExpiresAt: acceptance?.expiresAt,
  };
}

function toFindingEvent(entity: RawEntity): FindingEvent {
  const { acceptedBy, acceptanceReason, acceptanceExpiresAt, ...event } = findingEventEntity.parse(entity);
  return acceptedBy !== null && acceptanceReason !== null && acceptanceExpiresAt !== null
    ? { ...event, acceptance: { by: acceptedBy, reason: acceptanceReason, expiresAt: acceptanceExpiresAt } }
    : event;
}
