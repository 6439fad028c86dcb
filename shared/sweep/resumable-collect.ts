/**
 * Collection that outlives one invocation. A huge tenant needs more wall time than the host
 * allows a function (signInActivity: 10 pages of 500 a minute, so 100,000 users take ~20 min),
 * so the scan stops reading before the time budget runs out, saves where each paged collection
 * stands plus the rows read so far (ScanCheckpoints), and sends itself a follow-up message
 * (`continuation: n + 1`). The follow-up continues from the stored nextLinks: no page is read
 * twice, and the rows of finished pages live in storage, compact and gzipped, until the
 * invocation that finishes paging reads them back to evaluate. Follow-ups have their own queue
 * (scan-tenant-continue), so they never wait behind the night's fan-out.
 *
 * Which message may continue a checkpoint: the cursor's `chain`. The timer's message is 0, the
 * n-th follow-up n. A message whose number is behind the chain is a late duplicate (skipped); one
 * exactly one behind finds its hand-over done but maybe unsent (it sends the follow-up again;
 * duplicates are harmless). Every save is ETag-conditional and a continuing invocation saves
 * (claims) first, so of two deliveries of the same message working at once, one stops at once.
 *
 * Between hand-overs the scan also saves every FLUSH_EVERY_PAGES pages, so a crash (the host
 * killing the worker) re-reads at most that many pages when the queue retries the message.
 * A tenant that fits one invocation never writes a checkpoint unless it reads that many pages.
 */
import { z } from "zod";
import { decodeRegistration, decodeUser, encodeRegistration, encodeUser } from "../collect/compact.js";
import { isPagedDone, PAGED_START, readPagedSources, type PagedCursor, type PagedPage } from "../collect/paged.js";
import { completeSnapshot, pagedSources } from "../collect/snapshot.js";
import type { TenantGraph } from "../graph/client.js";
import type { TenantPaceState } from "../graph/pacer.js";
import type { RegistrationDetail, SnapshotUser, TenantSnapshot } from "../model/snapshot.js";
import type { TenantConfig } from "../model/tenant.js";
import { enqueueAll } from "../queue/queue-client.js";
import type { ScanMessage } from "../queue/scan-message.js";
import type { CheckpointChunk, StoredCheckpoint } from "../storage/checkpoints.js";
import { isTerminal, type TenantRunTransition } from "../storage/runs.js";
import type { ScanBudget } from "./scan-budget.js";
import type { ScanTenantResult } from "./scan-tenant.js";
import type { SweepServices } from "./services.js";

/** Pages read between two saves of a long scan: the most a crash makes us read again. */
export const FLUSH_EVERY_PAGES = 20;

/** Counters that add up over a scan's invocations. */
export interface ScanTotals {
  readonly requests: number;
  readonly throttled: number;
  readonly pacedInMs: number;
  readonly invocations: number;
  readonly checkpointTransactions: number;
}

const ZERO_TOTALS: ScanTotals = { requests: 0, throttled: 0, pacedInMs: 0, invocations: 0, checkpointTransactions: 0 };

/** The checkpoint's cursor row. */
export interface ScanCursor {
  readonly version: 1;
  /** The message allowed to continue from here: 0 the timer's, n the n-th follow-up. */
  readonly chain: number;
  /** When the scan's first invocation started (the snapshot's collectedAt). */
  readonly collectedAt: string;
  readonly paged: PagedCursor;
  /** Up to and including the invocation that saved this cursor. */
  readonly totals: ScanTotals;
  readonly pacing: TenantPaceState;
}

const failedSource = z.object({
  ok: z.literal(false),
  reason: z.enum(["license", "permission", "error"]),
  code: z.string().optional(),
  message: z.string(),
});
const streamCursor = z.object({
  status: z.enum(["reading", "done", "failed"]),
  next: z.string().optional(),
  pages: z.number().int().min(0),
  items: z.number().int().min(0),
  failure: failedSource.optional(),
  restarts: z.number().int().min(0).optional(),
});
const scanCursorSchema = z.object({
  version: z.literal(1),
  chain: z.number().int().min(0),
  collectedAt: z.string(),
  paged: z.object({
    users: streamCursor.extend({ withSignIn: z.boolean(), signInFailure: failedSource.optional() }),
    registration: streamCursor,
  }),
  totals: z.object({
    requests: z.number(),
    throttled: z.number(),
    pacedInMs: z.number(),
    invocations: z.number(),
    checkpointTransactions: z.number(),
  }),
  pacing: z.record(z.string(), z.number()),
});

export interface Checkpoint {
  readonly cursor: ScanCursor;
  readonly etag: string;
}

export type ScanStart =
  /** No checkpoint: collect from the first page. */
  | { readonly kind: "fresh" }
  /** Continue this checkpoint. */
  | { readonly kind: "resume"; readonly checkpoint: Checkpoint }
  /** The checkpoint was handed over to follow-up `chain` already; that follow-up may be lost. */
  | { readonly kind: "handed-over"; readonly chain: number }
  /** A late or duplicate message: another invocation has moved this scan on. */
  | { readonly kind: "stale"; readonly reason: string };

/** Where this message stands with respect to the tenant's checkpoint in this run. */
export async function openScan(services: SweepServices, message: ScanMessage): Promise<ScanStart> {
  const n = message.continuation ?? 0;
  const stored = await services.checkpoints.load(message.runId, message.tenantId);
  if (!stored) return { kind: "fresh" };
  const checkpoint = parseCheckpoint(stored);
  const chain = checkpoint.cursor.chain;
  if (chain === n) return { kind: "resume", checkpoint };
  if (chain === n + 1) return { kind: "handed-over", chain };
  return { kind: "stale", reason: `message ${n} is behind the scan's checkpoint (held by follow-up ${chain})` };
}

function parseCheckpoint(stored: StoredCheckpoint): Checkpoint {
  const parsed = scanCursorSchema.safeParse(stored.cursor);
  if (!parsed.success) throw new TypeError(`Unreadable scan checkpoint: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  return { cursor: parsed.data, etag: stored.etag };
}

export type BeginScan =
  | { readonly kind: "collect"; readonly start: Extract<ScanStart, { kind: "fresh" | "resume" }> }
  /** Nothing to collect for this message: the scan's result as it stands. */
  | { readonly kind: "done"; readonly result: ScanTenantResult };

/**
 * Decides what this delivery of a scan message does. The timer's message starts the tenant's run
 * (queued/running → running, attempt + 1); a follow-up only checks the run is still running, so
 * continuing is never mistaken for a duplicate start. Late duplicates are skipped.
 */
export async function beginScan(services: SweepServices, message: ScanMessage): Promise<BeginScan> {
  const { runId, tenantId } = message;
  const opened = await openScan(services, message);
  if (opened.kind === "handed-over") {
    await sendFollowUp(services, message, opened.chain);
    return { kind: "done", result: { outcome: "continued", chain: opened.chain } };
  }
  if (opened.kind === "stale") {
    return { kind: "done", result: { outcome: "skipped", transition: { outcome: "conflict", run: await services.runs.getTenantRun(runId, tenantId) } } };
  }
  const transition: TenantRunTransition =
    message.continuation === undefined ? await services.runs.startTenantRun(runId, tenantId) : await runningOrEnded(services, message);
  if (transition.outcome === "applied") return { kind: "collect", start: opened };
  // The run ended before: a checkpoint left behind (a crash after finishing) is no longer needed.
  if (opened.kind === "resume" && transition.outcome === "already-terminal") await services.checkpoints.delete(runId, tenantId);
  return { kind: "done", result: { outcome: "skipped", transition } };
}

async function runningOrEnded(services: SweepServices, message: ScanMessage): Promise<TenantRunTransition> {
  const run = await services.runs.getTenantRun(message.runId, message.tenantId);
  if (run === undefined) return { outcome: "conflict", run };
  return isTerminal(run.status) ? { outcome: "already-terminal", run } : { outcome: "applied", run };
}

/** Sends (again) follow-up `chain` of a scan, on the continuation queue. */
export async function sendFollowUp(services: SweepServices, message: ScanMessage, chain: number): Promise<void> {
  const { runId, tenantId, asOf } = message;
  await enqueueAll(services.scanContinueQueue, [{ runId, tenantId, asOf, continuation: chain }]);
}

export interface ResumableCollectOptions {
  readonly budget: ScanBudget;
  readonly onProgress?: (message: string) => void;
}

export type ResumableCollectResult =
  | {
      readonly outcome: "collected";
      readonly snapshot: TenantSnapshot;
      /** Earlier invocations plus this one's checkpoint writes; add this invocation's Graph counters. */
      readonly previous: ScanTotals;
      /** Whether a checkpoint exists that the finished scan should delete. */
      readonly checkpointed: boolean;
      readonly usersRead: number;
    }
  /** Stopped at the budget, saved, and sent follow-up `chain`. */
  | { readonly outcome: "continued"; readonly chain: number; readonly pagesRead: number }
  /** Another delivery of this message saved first: leave the scan to it. */
  | { readonly outcome: "lost-race" };

/**
 * Collects the tenant from where `start` stands. Returns the snapshot when both paged collections
 * are finished in this invocation; otherwise saves and sends the follow-up.
 */
export async function collectResumable(
  services: SweepServices,
  graph: TenantGraph,
  message: ScanMessage,
  config: TenantConfig,
  start: Extract<ScanStart, { kind: "fresh" | "resume" }>,
  options: ResumableCollectOptions,
): Promise<ResumableCollectResult> {
  const { runId, tenantId } = message;
  const n = message.continuation ?? 0;
  const progress = options.onProgress ?? (() => {});
  const base: ScanCursor =
    start.kind === "resume"
      ? start.checkpoint.cursor
      : { version: 1, chain: n, collectedAt: new Date().toISOString(), paged: PAGED_START, totals: ZERO_TOTALS, pacing: {} };
  graph.pacer?.importTenant(tenantId, base.pacing);
  let etag = start.kind === "resume" ? start.checkpoint.etag : undefined;
  let checkpointTransactions = 0;
  const firstPage = { users: base.paged.users.pages, registration: base.paged.registration.pages };
  if (start.kind === "resume") progress(`continuing from page ${firstPage.users} of users and ${firstPage.registration} of the registration report`);

  // Rows of the pages read in this invocation; earlier pages are in the checkpoint.
  const users: SnapshotUser[] = [];
  const registration: RegistrationDetail[] = [];
  let pending: PagedPage[] = [];
  let latest = base.paged;
  let pagesRead = 0;
  let lost = false;
  let saving: Promise<void> = Promise.resolve();

  const totalsNow = (transactions: number): ScanTotals => ({
    requests: base.totals.requests + graph.stats.requests,
    throttled: base.totals.throttled + graph.stats.throttled,
    pacedInMs: base.totals.pacedInMs + graph.stats.pacedInMs,
    invocations: base.totals.invocations + 1,
    checkpointTransactions: base.totals.checkpointTransactions + checkpointTransactions + transactions,
  });

  /** Saves the pages read since the last save and the cursor that counts them. Serialized. */
  const save = (chain: number): Promise<void> => {
    saving = saving.then(async () => {
      if (lost) return;
      const chunks = pending.map(toChunk);
      const paged = latest;
      pending = [];
      const saved = await services.checkpoints.save(
        runId,
        tenantId,
        {
          chunks,
          cursor: (transactions): ScanCursor => ({
            version: 1,
            chain,
            collectedAt: base.collectedAt,
            paged,
            totals: totalsNow(transactions),
            pacing: graph.pacer?.exportTenant(tenantId) ?? {},
          }),
        },
        etag,
      );
      if (saved.outcome === "conflict") {
        lost = true;
        return;
      }
      etag = saved.etag;
      checkpointTransactions += saved.transactions;
    });
    return saving;
  };

  // Claim the checkpoint before reading: of two deliveries of one message, only one gets on.
  if (start.kind === "resume") {
    latest = base.paged;
    await save(n);
    if (lost) return { outcome: "lost-race" };
  }

  const paged = await readPagedSources(graph.client, base.paged, {
    // At least one page per invocation, so a follow-up always makes progress.
    shouldStop: () => lost || (pagesRead > 0 && options.budget.exhausted({ pages: pagesRead })),
    licenseRetry: { backoffScale: services.settings.graph.timeScale },
    onPage: async (page, cursor) => {
      pagesRead++;
      if (page.stream === "users") for (const u of page.rows) users.push(u);
      else for (const r of page.rows) registration.push(r);
      pending.push(page);
      latest = cursor;
      if (page.stream === "users") progress(`users: ${cursor.users.items.toLocaleString("en-US")} read`);
      if (pending.length >= FLUSH_EVERY_PAGES) await save(n);
    },
    // Its saved link expired: the stream is read again from page 0, so none of its rows so far
    // count, neither held here nor stored. Stored chunks need no deleting: new pages replace them
    // by page number, and a stored cursor that still counts them holds the expired link, which
    // makes any invocation resuming from it start over too.
    onRestart: (stream, cursor) => {
      if (stream === "users") users.length = 0;
      else registration.length = 0;
      pending = pending.filter((page) => page.stream !== stream);
      firstPage[stream] = 0;
      latest = cursor;
      progress(`the ${stream === "users" ? "users" : "registration report"} page link expired: reading it again from the first page`);
    },
  });
  await saving;
  if (lost) return { outcome: "lost-race" };

  if (!isPagedDone(paged)) {
    latest = paged;
    await save(n + 1);
    if (lost) return { outcome: "lost-race" };
    graph.pacer?.forgetTenant(tenantId);
    await sendFollowUp(services, message, n + 1);
    progress(`time budget reached after ${pagesRead} page(s): continuing in follow-up ${n + 1}`);
    return { outcome: "continued", chain: n + 1, pagesRead };
  }

  const allUsers = paged.users.status === "done" ? await withStored(services, message, "users", firstPage.users, users, decodeUser) : [];
  const allRegistration =
    paged.registration.status === "done" ? await withStored(services, message, "registration", firstPage.registration, registration, decodeRegistration) : [];
  users.length = 0;
  registration.length = 0;
  const snapshot = await completeSnapshot(
    graph,
    tenantId,
    config,
    { collectedAt: base.collectedAt, ...pagedSources(paged, allUsers, allRegistration) },
    { onProgress: progress },
  );
  graph.pacer?.forgetTenant(tenantId);
  return {
    outcome: "collected",
    snapshot,
    previous: { ...totalsNow(0), requests: base.totals.requests, throttled: base.totals.throttled, pacedInMs: base.totals.pacedInMs },
    checkpointed: etag !== undefined,
    usersRead: allUsers.length,
  };
}

/** Rows of pages 0..storedPages-1 from the checkpoint, then the rows read in this invocation. */
async function withStored<T>(
  services: SweepServices,
  message: ScanMessage,
  stream: "users" | "registration",
  storedPages: number,
  current: readonly T[],
  decode: (tuple: unknown) => T,
): Promise<T[]> {
  const all: T[] = [];
  for await (const rows of services.checkpoints.readChunks(message.runId, message.tenantId, stream, storedPages)) {
    for (const tuple of rows) all.push(decode(tuple));
  }
  for (const row of current) all.push(row);
  return all;
}

function toChunk(page: PagedPage): CheckpointChunk {
  return page.stream === "users"
    ? { stream: page.stream, index: page.index, rows: page.rows.map(encodeUser) }
    : { stream: page.stream, index: page.index, rows: page.rows.map(encodeRegistration) };
}
