/**
 * The production wiring: every table, queue and Graph client of the function app, built once from
 * its settings. The functions, the CLI, the local hosts and the tests take one App and hand each
 * use what it declares it needs (startSweep's StartSweepDeps, scanTenant's ScanTenantDeps, …);
 * nothing below this folder knows the App.
 */
import type { QueueClient } from "@azure/storage-queue";
import { timeBudget, type ScanBudget } from "../collect/scan-budget.js";
import { loadSettings, type ApprovalSettings, type NotifySettings, type Settings } from "../config/settings.js";
import { createGraphClient, type TenantGraph } from "../graph/client.js";
import { createTenantCredential } from "../graph/credentials.js";
import type { RetryLicenseRefusalsOptions } from "../graph/license-retry.js";
import { sharedPacer } from "../graph/pacer.js";
import type { ReadinessReport } from "../model/readiness.js";
import type { TenantRecord } from "../model/tenant.js";
import { checkTenantReadiness } from "../onboarding/check.js";
import { SEND_APPROVALS_QUEUE } from "../queue/approvals-message.js";
import { createQueueClient } from "../queue/queue-client.js";
import { NOTIFY_DELIVERY_QUEUE, NOTIFY_EVENTS_QUEUE } from "../queue/notify-message.js";
import { SCAN_CONTINUE_QUEUE, SCAN_LONG_QUEUE, SCAN_QUEUE } from "../queue/scan-message.js";
import type { OutboundOptions } from "../notify/outbound.js";
import { DEFAULT_DELIVERY_RETRY, type DeliveryRetryPolicy } from "../notify/retry-strategy.js";
import type { RemediationDeps, RemediationLog } from "../remediation/remediate.js";
import { TableAcceptancesRepository, type AcceptancesRepository } from "../storage/acceptances.js";
import { TableSummariesRepository, type SummariesRepository } from "../storage/summaries.js";
import { TableApprovalsRepository, type ApprovalsRepository } from "../storage/approvals.js";
import { TableAuditRepository, type AuditRepository } from "../storage/audit.js";
import { TableScanCheckpointsRepository, type ScanCheckpointsRepository } from "../storage/checkpoints.js";
import { tableStoreFromSettings } from "../storage/connection.js";
import { TableDeliveriesRepository, type DeliveriesRepository } from "../storage/deliveries.js";
import { TableDigestsRepository, type DigestsRepository } from "../storage/digests.js";
import { TableFindingEventsRepository, type FindingEventsRepository } from "../storage/findingEvents.js";
import { TableFindingsRepository, type FindingsRepository } from "../storage/findings.js";
import { TableRunsRepository, type RunsRepository } from "../storage/runs.js";
import { TableTenantLeaseRepository, type TenantLeaseRepository } from "../storage/tenant-leases.js";
import { TableTenantsRepository, type TenantsRepository } from "../storage/tenants.js";
import { TableCallersRepository, type CallersRepository } from "../storage/callers.js";
import { TableRemediationRequestsRepository, type RemediationRequestsRepository } from "../storage/remediation-requests.js";
import { entraCallerAuthenticator, type CallerAuthenticator } from "../http/callers.js";
import { approvalPageServices, type ApprovalPageServices } from "./approval-page.js";

export interface App {
  readonly tenants: TenantsRepository;
  readonly runs: RunsRepository;
  readonly findings: FindingsRepository;
  readonly events: FindingEventsRepository;
  readonly approvals: ApprovalsRepository;
  /** Every remediation attempt (insert-only). */
  readonly audit: AuditRepository;
  /** Per-tenant leases: one remediation of a tenant at a time, across instances. */
  readonly leases: TenantLeaseRepository;
  /** The risk register: acceptances in force, per finding. */
  readonly acceptances: AcceptancesRepository;
  /** One summary row per tenant, rewritten at the end of each scan: what the fleet overview reads. */
  readonly summaries: SummariesRepository;
  /** The ticketing API's requests (version 2) and idempotency keys. */
  readonly remediationRequests: RemediationRequestsRepository;
  /** The apps that may call the API with an Entra token, and the tenants each reaches. */
  readonly callers: CallersRepository;
  /** Checks a bearer caller's token, role and reach (shared/http/callers.ts). */
  readonly callerAuth: CallerAuthenticator;
  /** WEBSITE_AUTH_ENABLED: whether the reports may trust the platform's signed-in principal (shared/http/principal.ts). */
  readonly platformAuth: boolean;
  readonly digests: DigestsRepository;
  /** Where scans too long for one invocation keep their place. */
  readonly checkpoints: ScanCheckpointsRepository;
  /** The three scan lanes (shared/queue/scan-message.ts): quick scans, long scans, follow-ups. */
  readonly scanQueue: QueueClient;
  readonly scanLongQueue: QueueClient;
  readonly scanContinueQueue: QueueClient;
  /** Every scan lane as the Functions host runs it: its function, queue and poison queue. */
  readonly scanLanes: readonly ScanLane[];
  readonly sendApprovalsQueue: QueueClient;
  readonly sendApprovalsPoisonQueue: QueueClient;
  /** Outbound events: the delivery log, a run's fan-out to its sinks, one delivery per sink (and where dead ones go). */
  readonly deliveries: DeliveriesRepository;
  readonly notifyEventsQueue: QueueClient;
  readonly notifyEventsPoisonQueue: QueueClient;
  readonly notifyDeliveryQueue: QueueClient;
  readonly notifyDeliveryPoisonQueue: QueueClient;
  /** NOTIFY_SINKS and the mailbox email sinks send from. */
  readonly notifySettings: NotifySettings;
  /** Where outbound requests may go (loopback only when AppOptions.outbound allows it) and their caps. */
  readonly outbound: OutboundOptions;
  readonly deliveryRetry: DeliveryRetryPolicy;
  /** Where the tenants to sweep come from (TENANTS_SOURCE, TENANT_IDS). */
  readonly tenantSource: Settings["tenants"];
  /** Undefined when approvals are not configured (APPROVAL_SIGNING_KEYS, PUBLIC_BASE_URL, MAIL_SENDER). */
  readonly approvalSettings: ApprovalSettings | undefined;
  /** How Graph's licence 403 is asked again: backoff scaled like the Graph clients' (GRAPH_TIME_SCALE). */
  readonly licenseRetry: RetryLicenseRefusalsOptions;
  /** A Graph client for one tenant, with fresh call counters. */
  graphFor(tenantId: string): TenantGraph;
  /** When an invocation that starts now must stop collecting and hand over (SCAN_TIME_BUDGET_SECONDS). */
  scanBudget(): ScanBudget;
  /** The onboarding check of one tenant (shared/onboarding/check.ts); reads only. */
  checkTenant(tenantId: string): Promise<ReadinessReport>;
  /** What remediate() and undo() need to act on `tenant`: every channel builds them here. */
  remediationFor(tenant: TenantRecord, log?: RemediationLog): RemediationDeps;
  /** What the approval page runs on; undefined when approvals are not configured (the page answers 503). */
  readonly approvalPage: ApprovalPageServices | undefined;
}

export interface ScanLane {
  /** The queue function's name in functions/registry.ts (the same as its queue's). */
  readonly functionName: string;
  readonly queue: QueueClient;
  /** Where the Functions host moves messages that failed maxDequeueCount times. */
  readonly poisonQueue: QueueClient;
}

export interface AppOptions {
  /** Tests isolate themselves with their own queues (`<prefix>scan-tenant`); Azure uses none. */
  readonly queuePrefix?: string;
  /**
   * Outbound requests: only tests and `npm run dev`'s local receiver set `allowLoopback` (never a
   * setting, never a tenant's config); tests shorten the timeout.
   */
  readonly outbound?: OutboundOptions;
  /** Tests shorten the backoff of deliveries. */
  readonly deliveryRetry?: Partial<DeliveryRetryPolicy>;
}

export function createApp(settings: Settings, options: AppOptions = {}): App {
  const store = tableStoreFromSettings(settings.storage);
  const queue = (name: string) => createQueueClient(settings.storage, `${options.queuePrefix ?? ""}${name}`);
  const lane = (name: string): ScanLane => ({ functionName: name, queue: queue(name), poisonQueue: queue(`${name}-poison`) });
  const [quick, long, continued] = [lane(SCAN_QUEUE), lane(SCAN_LONG_QUEUE), lane(SCAN_CONTINUE_QUEUE)];
  const graphFor = pacedGraphClients(settings);
  const tables = {
    tenants: new TableTenantsRepository(store),
    approvals: new TableApprovalsRepository(store),
    audit: new TableAuditRepository(store),
    leases: new TableTenantLeaseRepository(store),
    acceptances: new TableAcceptancesRepository(store),
  };
  const self = { appId: settings.graph.credential?.clientId ?? "", mailSender: settings.approvals?.mailSender ?? null };
  const remediationFor = (tenant: TenantRecord, log?: RemediationLog): RemediationDeps => ({
    ...tables,
    graph: graphFor(tenant.tenantId),
    tenant,
    self,
    ...(log ? { log } : {}),
  });
  const callers = new TableCallersRepository(store);
  return {
    ...tables,
    remediationRequests: new TableRemediationRequestsRepository(store),
    callers,
    callerAuth: entraCallerAuthenticator(settings.callers, callers),
    platformAuth: settings.platformAuth,
    summaries: new TableSummariesRepository(store),
    runs: new TableRunsRepository(store),
    findings: new TableFindingsRepository(store),
    events: new TableFindingEventsRepository(store),
    digests: new TableDigestsRepository(store),
    checkpoints: new TableScanCheckpointsRepository(store),
    scanQueue: quick.queue,
    scanLongQueue: long.queue,
    scanContinueQueue: continued.queue,
    scanLanes: [quick, long, continued],
    sendApprovalsQueue: queue(SEND_APPROVALS_QUEUE),
    sendApprovalsPoisonQueue: queue(`${SEND_APPROVALS_QUEUE}-poison`),
    deliveries: new TableDeliveriesRepository(store),
    notifyEventsQueue: queue(NOTIFY_EVENTS_QUEUE),
    notifyEventsPoisonQueue: queue(`${NOTIFY_EVENTS_QUEUE}-poison`),
    notifyDeliveryQueue: queue(NOTIFY_DELIVERY_QUEUE),
    notifyDeliveryPoisonQueue: queue(`${NOTIFY_DELIVERY_QUEUE}-poison`),
    notifySettings: settings.notify,
    outbound: options.outbound ?? {},
    deliveryRetry: { ...DEFAULT_DELIVERY_RETRY, ...options.deliveryRetry },
    tenantSource: settings.tenants,
    approvalSettings: settings.approvals,
    licenseRetry: { backoffScale: settings.graph.timeScale },
    graphFor,
    scanBudget: () => timeBudget(settings.scan.timeBudgetSeconds),
    checkTenant: (tenantId) => checkTenant(settings, tenantId),
    remediationFor,
    approvalPage: settings.approvals && approvalPageServices(settings.approvals, { ...tables, remediationFor }),
  };
}

/** Graph clients that share the app's pacer: one app registration's limits hold across all tenants. */
function pacedGraphClients(settings: Settings): (tenantId: string) => TenantGraph {
  const pacing = { timeScale: settings.graph.timeScale, reportsPerAppPer10s: settings.graph.reportsBudgetPer10s };
  return (tenantId) =>
    createGraphClient({
      credential: createTenantCredential(settings.graph, tenantId),
      baseUrl: settings.graph.baseUrl,
      retry: { backoffScale: settings.graph.timeScale },
      pacing: { pacer: sharedPacer(settings.graph.credential?.clientId ?? "", pacing), tenantId },
    });
}

/**
 * The onboarding check with a fresh credential and an unpaced Graph client: it reads that
 * credential's token (a new one, so a consent given minutes ago shows) and makes a dozen reads,
 * too few to pace.
 */
function checkTenant(settings: Settings, tenantId: string): Promise<ReadinessReport> {
  const { graph, approvals } = settings;
  const credential = createTenantCredential(graph, tenantId);
  return checkTenantReadiness({
    tenantId,
    access: { credential, graph: createGraphClient({ credential, baseUrl: graph.baseUrl, retry: { backoffScale: graph.timeScale } }) },
    appId: graph.credential?.clientId ?? "",
    graphBaseUrl: graph.baseUrl,
    authorityHost: graph.authorityHost,
    approvalsConfigured: approvals !== undefined,
    mailTenantId: approvals?.mailTenantId,
    licenseRetry: { backoffScale: graph.timeScale },
  });
}

let functionAppInstance: App | undefined;

/** The function app's App, from app settings, created on first use (a bad setting fails here). */
export function functionApp(): App {
  functionAppInstance ??= createApp(loadSettings());
  return functionAppInstance;
}
