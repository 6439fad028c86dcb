/**
 * The run ledger. `Runs` holds one header per sweep (PK `sweep`, RK descendingRunKey(runId) so the
 * newest run reads first); `TenantRuns` holds each tenant's progress in a run (PK runId, RK tenantId).
 * Queue delivery is at least once, so every write here is idempotent or ETag-conditional.
 */
import { odata, type TableClient, type TableEntity } from "@azure/data-tables";
import { z } from "zod";
import { jsonColumn, optionalDateColumn, optionalStringColumn } from "./columns.js";
import type { TableStore } from "./connection.js";
import { isConflict, isPreconditionFailed } from "./errors.js";
import { assertKeySafe, assertRunId, descendingRunKey } from "./keys.js";
import { getEntityOrUndefined, listAll, type RawEntity, type StorageOperationOptions } from "./operations.js";

export const RUNS_TABLE = "Runs";
export const TENANT_RUNS_TABLE = "TenantRuns";
const SWEEP_PARTITION = "sweep";

export type RunTrigger = "timer" | "cli" | "manual";

export interface RunHeader {
  readonly runId: string;
  /** The evaluation date the controls use (e.g. the scheduled time of the nightly timer). */
  readonly asOf: Date;
  readonly startedAt: Date;
  readonly trigger: RunTrigger;
  readonly tenantCount: number;
}

export type TenantRunStatus = "queued" | "running" | "completed" | "partial" | "failed";
export type TerminalStatus = Extract<TenantRunStatus, "completed" | "partial" | "failed">;

export function isTerminal(status: TenantRunStatus): status is TerminalStatus {
  return status === "completed" || status === "partial" || status === "failed";
}

export interface TenantRun {
  readonly runId: string;
  readonly tenantId: string;
  readonly status: TenantRunStatus;
  readonly reason: string | null;
  readonly notes: readonly string[];
  readonly counts: Readonly<Record<string, number>>;
  readonly requestCount: number;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  /** How many times a worker started this tenant in this run (0 while queued). */
  readonly attempt: number;
}

/** How a worker ended a tenant's run. Write `failed` only when no retry will follow. */
export interface TenantRunOutcome {
  readonly status: TerminalStatus;
  readonly reason?: string;
  readonly notes?: readonly string[];
  readonly counts?: Readonly<Record<string, number>>;
  readonly requestCount?: number;
}

export type TenantRunTransition =
  | { readonly outcome: "applied"; readonly run: TenantRun }
  /** The run had already ended: a late or duplicate message must leave it alone. */
  | { readonly outcome: "already-terminal"; readonly run: TenantRun }
  /** Another writer changed the run between our read and our write. */
  | { readonly outcome: "conflict"; readonly run: TenantRun | undefined };

export interface CreateRunResult {
  /** False when the header already existed (e.g. the timer fired twice); `run` is then the stored one. */
  readonly created: boolean;
  readonly run: RunHeader;
}

export interface QueueTenantRunResult {
  readonly created: boolean;
  readonly run: TenantRun;
}

export interface TenantRunTransitionOptions extends StorageOperationOptions {
  /** Defaults to now. */
  readonly at?: Date;
}

export interface PreviousRunForOptions extends StorageOperationOptions {
  /** Only runs in one of these states count; any state when omitted. */
  readonly statuses?: readonly TenantRunStatus[];
  /** How many older sweeps to look through before giving up. Default 60. */
  readonly maxRunsScanned?: number;
}

export interface RunsRepository {
  /** Insert-if-absent. */
  createRun(header: RunHeader, options?: StorageOperationOptions): Promise<CreateRunResult>;
  getRun(runId: string, options?: StorageOperationOptions): Promise<RunHeader | undefined>;
  /** Newest first. */
  latestRuns(limit: number, options?: StorageOperationOptions): Promise<RunHeader[]>;
  /** Insert-if-absent, status `queued`. */
  queueTenantRun(runId: string, tenantId: string, options?: StorageOperationOptions): Promise<QueueTenantRunResult>;
  /** `queued`/`running` → `running` (attempt + 1); never leaves a terminal status. */
  startTenantRun(runId: string, tenantId: string, options?: TenantRunTransitionOptions): Promise<TenantRunTransition>;
  /** Non-terminal → terminal; the first terminal status written wins. */
  finishTenantRun(
    runId: string,
    tenantId: string,
    outcome: TenantRunOutcome,
    options?: TenantRunTransitionOptions,
  ): Promise<TenantRunTransition>;
  getTenantRun(runId: string, tenantId: string, options?: StorageOperationOptions): Promise<TenantRun | undefined>;
  listTenantRuns(runId: string, options?: StorageOperationOptions): Promise<TenantRun[]>;
  /** The tenant's run in the latest sweep older than `beforeRunId`, or undefined. */
  previousRunFor(tenantId: string, beforeRunId: string, options?: PreviousRunForOptions): Promise<TenantRun | undefined>;
}

const DEFAULT_MAX_RUNS_SCANNED = 60;
/** A finish that loses an ETag race re-reads and tries again, at most this often. */
const MAX_FINISH_WRITES = 3;

const runHeaderEntity = z.object({
  runId: z.string(),
  asOf: z.date(),
  startedAt: z.date(),
  trigger: z.enum(["timer", "cli", "manual"]),
  tenantCount: z.number(),
});

const tenantRunEntity = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  status: z.enum(["queued", "running", "completed", "partial", "failed"]),
  reason: optionalStringColumn,
  notes: jsonColumn(z.array(z.string())),
  counts: jsonColumn(z.record(z.string(), z.number())),
  requestCount: z.number(),
  startedAt: optionalDateColumn,
  finishedAt: optionalDateColumn,
  attempt: z.number(),
});

interface VersionedRun {
  readonly run: TenantRun;
  readonly etag: string;
}

export class TableRunsRepository implements RunsRepository {
  readonly #store: TableStore;

  constructor(store: TableStore) {
    this.#store = store;
  }

  async createRun(header: RunHeader, options: StorageOperationOptions = {}): Promise<CreateRunResult> {
    const client = await this.#runs();
    try {
      await client.createEntity(toRunHeaderEntity(header), { abortSignal: options.abortSignal });
      return { created: true, run: header };
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const existing = await this.getRun(header.runId, options);
    if (existing === undefined) throw new Error(`Run ${header.runId} conflicted on insert but cannot be read`);
    return { created: false, run: existing };
  }

  async getRun(runId: string, options: StorageOperationOptions = {}): Promise<RunHeader | undefined> {
    const entity = await getEntityOrUndefined(await this.#runs(), SWEEP_PARTITION, descendingRunKey(runId), options);
    return entity && runHeaderEntity.parse(entity);
  }

  async latestRuns(limit: number, options: StorageOperationOptions = {}): Promise<RunHeader[]> {
    assertPositiveInteger(limit, "limit");
    const headers: RunHeader[] = [];
    for await (const header of this.#runsNewestFirst(odata`PartitionKey eq ${SWEEP_PARTITION}`, limit, options)) {
      headers.push(header);
      if (headers.length === limit) break;
    }
    return headers;
  }

  async queueTenantRun(runId: string, tenantId: string, options: StorageOperationOptions = {}): Promise<QueueTenantRunResult> {
    const run = queuedRun(runId, tenantId);
    const client = await this.#tenantRuns();
    if (await tryWrite(client, run, undefined, options)) return { created: true, run };
    const existing = await this.getTenantRun(runId, tenantId, options);
    if (existing === undefined) throw new Error(`Tenant run ${runId}/${tenantId} conflicted on insert but cannot be read`);
    return { created: false, run: existing };
  }

  async startTenantRun(runId: string, tenantId: string, options: TenantRunTransitionOptions = {}): Promise<TenantRunTransition> {
    const client = await this.#tenantRuns();
    const current = await readTenantRun(client, runId, tenantId, options);
    if (current && isTerminal(current.run.status)) return { outcome: "already-terminal", run: current.run };
    const run = startedRun(current?.run ?? queuedRun(runId, tenantId), options.at ?? new Date());
    if (await tryWrite(client, run, current?.etag, options)) return { outcome: "applied", run };
    // No retry: losing this race means another worker started or finished this tenant just now.
    return { outcome: "conflict", run: (await readTenantRun(client, runId, tenantId, options))?.run };
  }

  async finishTenantRun(
    runId: string,
    tenantId: string,
    outcome: TenantRunOutcome,
    options: TenantRunTransitionOptions = {},
  ): Promise<TenantRunTransition> {
    const client = await this.#tenantRuns();
    // Retried on a lost race: the work is done, and its result should be recorded unless
    // another attempt already recorded one.
    for (let write = 0; write < MAX_FINISH_WRITES; write++) {
      const current = await readTenantRun(client, runId, tenantId, options);
      if (current && isTerminal(current.run.status)) return { outcome: "already-terminal", run: current.run };
      const run = finishedRun(current?.run ?? queuedRun(runId, tenantId), outcome, options.at ?? new Date());
      if (await tryWrite(client, run, current?.etag, options)) return { outcome: "applied", run };
    }
    return { outcome: "conflict", run: (await readTenantRun(client, runId, tenantId, options))?.run };
  }

  async getTenantRun(runId: string, tenantId: string, options: StorageOperationOptions = {}): Promise<TenantRun | undefined> {
    return (await readTenantRun(await this.#tenantRuns(), runId, tenantId, options))?.run;
  }

  async listTenantRuns(runId: string, options: StorageOperationOptions = {}): Promise<TenantRun[]> {
    assertRunId(runId);
    const entities = await listAll(await this.#tenantRuns(), odata`PartitionKey eq ${runId}`, options);
    return entities.map(toTenantRun);
  }

  async previousRunFor(tenantId: string, beforeRunId: string, options: PreviousRunForOptions = {}): Promise<TenantRun | undefined> {
    const maxRunsScanned = options.maxRunsScanned ?? DEFAULT_MAX_RUNS_SCANNED;
    assertPositiveInteger(maxRunsScanned, "maxRunsScanned");
    const client = await this.#tenantRuns();
    // Descending keys: "older than beforeRunId" is "row key greater than its key".
    const filter = odata`PartitionKey eq ${SWEEP_PARTITION} and RowKey gt ${descendingRunKey(beforeRunId)}`;
    let scanned = 0;
    for await (const header of this.#runsNewestFirst(filter, maxRunsScanned, options)) {
      if (scanned++ === maxRunsScanned) break;
      const run = (await readTenantRun(client, header.runId, tenantId, options))?.run;
      if (run && (options.statuses === undefined || options.statuses.includes(run.status))) return run;
    }
    return undefined;
  }

  /** Run headers matching `filter`, newest first, fetched `pageSize` at a time. */
  async *#runsNewestFirst(filter: string, pageSize: number, options: StorageOperationOptions): AsyncGenerator<RunHeader> {
    const client = await this.#runs();
    const pages = client
      .listEntities<Record<string, unknown>>({ queryOptions: { filter }, abortSignal: options.abortSignal })
      .byPage({ maxPageSize: Math.min(pageSize, 1000) });
    for await (const page of pages) {
      for (const entity of page) yield runHeaderEntity.parse(entity);
    }
  }

  #runs(): Promise<TableClient> {
    return this.#store.table(RUNS_TABLE);
  }

  #tenantRuns(): Promise<TableClient> {
    return this.#store.table(TENANT_RUNS_TABLE);
  }
}

function assertPositiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer: ${value}`);
}

function queuedRun(runId: string, tenantId: string): TenantRun {
  assertRunId(runId);
  assertKeySafe(tenantId, "tenantId");
  return {
    runId,
    tenantId,
    status: "queued",
    reason: null,
    notes: [],
    counts: {},
    requestCount: 0,
    startedAt: null,
    finishedAt: null,
    attempt: 0,
  };
}

function startedRun(run: TenantRun, at: Date): TenantRun {
  return { ...run, status: "running", attempt: run.attempt + 1, startedAt: at, finishedAt: null };
}

function finishedRun(run: TenantRun, outcome: TenantRunOutcome, at: Date): TenantRun {
  return {
    ...run,
    status: outcome.status,
    reason: outcome.reason ?? null,
    notes: outcome.notes ?? [],
    counts: outcome.counts ?? {},
    requestCount: outcome.requestCount ?? 0,
    finishedAt: at,
  };
}

async function readTenantRun(
  client: TableClient,
  runId: string,
  tenantId: string,
  options: StorageOperationOptions,
): Promise<VersionedRun | undefined> {
  assertRunId(runId);
  assertKeySafe(tenantId, "tenantId");
  const entity = await getEntityOrUndefined(client, runId, tenantId, options);
  return entity && { run: toTenantRun(entity), etag: entity.etag };
}

/**
 * Inserts (no etag) or replaces only if unchanged since read (etag). False when another writer
 * got there first (409 on insert, 412 on replace).
 */
async function tryWrite(client: TableClient, run: TenantRun, etag: string | undefined, options: StorageOperationOptions): Promise<boolean> {
  const entity = toTenantRunEntity(run);
  try {
    if (etag === undefined) await client.createEntity(entity, { abortSignal: options.abortSignal });
    else await client.updateEntity(entity, "Replace", { etag, abortSignal: options.abortSignal });
    return true;
  } catch (error) {
    if (isConflict(error) || isPreconditionFailed(error)) return false;
    throw error;
  }
}

function toRunHeaderEntity(header: RunHeader): TableEntity {
  return {
    partitionKey: SWEEP_PARTITION,
    rowKey: descendingRunKey(header.runId),
    runId: header.runId,
    asOf: header.asOf,
    startedAt: header.startedAt,
    trigger: header.trigger,
    tenantCount: header.tenantCount,
  };
}

function toTenantRunEntity(run: TenantRun): TableEntity {
  return {
    partitionKey: run.runId,
    rowKey: run.tenantId,
    status: run.status,
    reason: run.reason ?? undefined,
    notes: JSON.stringify(run.notes),
    counts: JSON.stringify(run.counts),
    requestCount: run.requestCount,
    startedAt: run.startedAt ?? undefined,
    finishedAt: run.finishedAt ?? undefined,
    attempt: run.attempt,
  };
}

function toTenantRun(entity: RawEntity): TenantRun {
  const { partitionKey, rowKey, ...row } = tenantRunEntity.parse(entity);
  return { runId: partitionKey, tenantId: rowKey, ...row };
}
