/**
 * Benchmark child: the naive baseline, the way a first version of this scanner would work.
 * - Tenants one after another.
 * - Users listed at Graph's default page size (100), no pacing: throttling is met as 429s and
 *   Retry-After.
 * - MFA/SSPR registration from one authentication-methods call per user instead of the bulk report.
 * - One Table write per finding and per event.
 * Everything else (roles, policies, groups, admins) and the controls are the product's, so the
 * difference measured is exactly those four choices.
 *
 *   input: one IPC message { type: "input", input: WorkerInput }; app settings in the environment (loadSettings)
 */
import { completeSnapshot } from "../shared/collect/snapshot.js";
import { readSource } from "../shared/collect/source.js";
import { toSnapshotUser } from "../shared/collect/users.js";
import { loadSettings } from "../shared/config/settings.js";
import { evaluateTenant } from "../shared/controls/index.js";
import { createGraphClient, type TenantGraph } from "../shared/graph/client.js";
import { createTenantCredential } from "../shared/graph/credentials.js";
import { unavailableReason } from "../shared/graph/errors.js";
import { listAll } from "../shared/graph/paging.js";
import type { RegistrationDetail, SnapshotUser, Source } from "../shared/model/snapshot.js";
import { reconcile } from "../shared/reconcile/reconcile.js";
import { createApp } from "../shared/app/wiring.js";
import type { WorkerResult, WorkerTenantResult } from "./protocol.js";
import { cpuSince, receiveInput, RssPeak, seedTenants, sendAndFlush } from "./worker-common.js";

const USER_FIELDS = ["id", "userPrincipalName", "displayName", "accountEnabled", "userType", "createdDateTime", "onPremisesSyncEnabled"];
const MFA_METHODS = new Set([
  "#microsoft.graph.phoneAuthenticationMethod",
  "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
  "#microsoft.graph.softwareOathAuthenticationMethod",
  "#microsoft.graph.hardwareOathAuthenticationMethod",
  "#microsoft.graph.fido2AuthenticationMethod",
  "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod",
]);
const SSPR_METHODS = new Set([
  "#microsoft.graph.phoneAuthenticationMethod",
  "#microsoft.graph.emailAuthenticationMethod",
  "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
]);

async function main(): Promise<void> {
  const input = await receiveInput();
  const rss = new RssPeak();
  const settings = loadSettings();
  const app = createApp(settings, { queuePrefix: input.queuePrefix });
  await seedTenants(app, input.tenants, settings.graph.credential?.clientId ?? "unconfigured");
  const asOf = new Date(input.asOf);
  const runId = "20261128T020000.000Z";

  const cpu = process.cpuUsage();
  const started = performance.now();
  const tenants: WorkerTenantResult[] = [];
  for (const tenant of input.tenants) {
    const tenantStarted = performance.now();
    const graph = createGraphClient({
      credential: createTenantCredential(settings.graph, tenant.tenantId),
      baseUrl: settings.graph.baseUrl,
      retry: { backoffScale: settings.graph.timeScale },
    });
    const { users, signInActivity } = await naiveUsers(graph);
    const registrationDetails = users.ok ? await perUserRegistration(graph, users.data) : users;
    const snapshot = await completeSnapshot(graph, tenant.tenantId, tenant.config, {
      collectedAt: asOf.toISOString(),
      users,
      signInActivity,
      registrationDetails,
    });
    const evaluation = evaluateTenant(snapshot, tenant.config, asOf);
    const stored = await app.findings.listForTenant(tenant.tenantId);
    const changes = reconcile({ tenantId: tenant.tenantId, runId, asOf, stored, rows: evaluation.rows, scanComplete: true });
    let eventWrites = 0;
    for (const event of changes.events) eventWrites += await app.events.write(tenant.tenantId, [event]);
    let findingWrites = 0;
    for (const finding of changes.upserts) findingWrites += await app.findings.applyChanges(tenant.tenantId, [finding]);
    tenants.push({
      tenantId: tenant.tenantId,
      status: "completed",
      requests: graph.stats.requests,
      throttled: graph.stats.throttled,
      users: users.ok ? users.data.length : 0,
      invocations: 1,
      findingRows: changes.upserts.length,
      findingWrites,
      eventRows: changes.events.length,
      eventWrites,
      checkpointWrites: 0,
      scanMs: performance.now() - tenantStarted,
      endedAtMs: performance.now() - started,
    });
  }
  const result: WorkerResult = {
    type: "result",
    wallMs: performance.now() - started,
    peakRssBytes: rss.stop(),
    cpuSeconds: cpuSince(cpu),
    tenants,
  };
  await sendAndFlush(result);
}

/** Users at the default page size, with sign-in activity when the licence allows. */
async function naiveUsers(graph: TenantGraph): Promise<{ users: Source<readonly SnapshotUser[]>; signInActivity: Source<true> }> {
  const withSignIn = await readSource(async () =>
    (await listAll<Record<string, unknown>>(graph.client, { path: "/users", select: [...USER_FIELDS, "signInActivity"] })).map(
      toSnapshotUser,
    ),
  );
  if (withSignIn.ok) return { users: withSignIn, signInActivity: { ok: true, data: true } };
  if (withSignIn.reason !== "license") return { users: withSignIn, signInActivity: withSignIn };
  const users = await readSource(async () =>
    (await listAll<Record<string, unknown>>(graph.client, { path: "/users", select: USER_FIELDS })).map(toSnapshotUser),
  );
  return { users, signInActivity: withSignIn };
}

/** One authentication-methods call per user, one after another. */
async function perUserRegistration(graph: TenantGraph, users: readonly SnapshotUser[]): Promise<Source<readonly RegistrationDetail[]>> {
  const rows: RegistrationDetail[] = [];
  for (const user of users) {
    try {
      const body = (await graph.client.api(`/users/${user.id}/authentication/methods`).get()) as { value?: { "@odata.type"?: string }[] };
      const types = (body.value ?? []).map((m) => m["@odata.type"] ?? "");
      const sspr = types.some((t) => SSPR_METHODS.has(t));
      rows.push({
        id: user.id,
        userPrincipalName: user.userPrincipalName,
        isMfaRegistered: types.some((t) => MFA_METHODS.has(t)),
        isSsprEnabled: sspr,
        isSsprRegistered: sspr,
      });
    } catch (e) {
      return { ok: false, reason: unavailableReason(e), message: e instanceof Error ? e.message : String(e) };
    }
  }
  return { ok: true, data: rows };
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`naive-worker: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
