/**
 * infra/main.bicep, compiled by the real Bicep CLI, checked against the code it deploys: the app
 * settings the settings schema reads (in every credential mode, fed back through loadSettings),
 * the queues and tables the code names, the identity's role on each data plane it touches, no
 * secret anywhere in the template, Key Vault references for the secrets, Flex Consumption on
 * Node.js 22 with shared-key storage access off. The CLI comes from NuGet (infra/tools/bicep.sh path;
 * CI exports BICEP_CLI); without it these tests skip, loudly, except in CI where they fail.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS } from "../../functions/registry.js";
import { CREDENTIAL_MODES, GRAPH_REPORTS_LIMIT_PER_10S, loadSettings, SETTING_NAMES } from "../../shared/config/settings.js";
import { TableStore } from "../../shared/storage/connection.js";
import { Opaque, Scope, text as valueText, type Template, type Value } from "./arm-template.js";

const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

/** BICEP_CLI, else the NuGet package the csproj pins, where `infra/tools/bicep.sh path` restores it. */
function findBicep(): string | undefined {
  if (process.env.BICEP_CLI) return process.env.BICEP_CLI;
  const csproj = readFileSync(join(ROOT, "infra/tools/bicep-cli.csproj"), "utf8");
  const version = /Include="Azure\.Bicep\.CommandLine\.linux-x64" Version="([^"]+)"/.exec(csproj)?.[1];
  const nugetRoot = process.env.NUGET_PACKAGES ?? join(homedir(), ".nuget/packages");
  const cli = version ? join(nugetRoot, "azure.bicep.commandline.linux-x64", version, "tools/bicep") : undefined;
  return cli && existsSync(cli) ? cli : undefined;
}

const BICEP = findBicep();
if (!BICEP) {
  if (process.env.CI) throw new Error("test/infra: no Bicep CLI in CI. .ci/run must export BICEP_CLI=$(infra/tools/bicep.sh path).");
  console.warn(
    "\n!!! test/infra/template.test.ts SKIPPED: no Bicep CLI found.\n" +
      '!!! Restore it from NuGet (a few seconds): export BICEP_CLI="$(infra/tools/bicep.sh path)"\n',
  );
}

// Built-in role ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
const ROLE = {
  storageBlobDataOwner: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", // Storage Blob Data Owner
  storageQueueDataContributor: "974c5e8b-45b9-4653-ba55-5f855dd0fb88", // Storage Queue Data Contributor
  storageTableDataContributor: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", // Storage Table Data Contributor
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6", // Key Vault Secrets User
  monitoringMetricsPublisher: "3913510d-42f4-4e42-8a64-420c390055eb", // Monitoring Metrics Publisher
};

/**
 * Each data plane the app's identity touches, and the role it needs there. Host storage with an
 * identity: blob owner, queue contributor for queue triggers (they also create the -poison queue)
 * (https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity);
 * Flex deployment from a blob container (https://learn.microsoft.com/azure/azure-functions/flex-consumption-how-to);
 * Key Vault references (https://learn.microsoft.com/azure/app-service/app-service-key-vault-references);
 * Entra ingestion (https://learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication).
 */
const REQUIRED_ROLES: Record<string, readonly string[]> = {
  "Microsoft.Storage/storageAccounts": [ROLE.storageBlobDataOwner, ROLE.storageQueueDataContributor, ROLE.storageTableDataContributor],
  "Microsoft.KeyVault/vaults": [ROLE.keyVaultSecretsUser],
  "Microsoft.Insights/components": [ROLE.monitoringMetricsPublisher],
};

/** Schema settings a deployment sets (some only in the mode or feature that reads them). */
const DEPLOYED = [
  "AzureWebJobsStorage__accountName",
  "AzureWebJobsStorage__clientId",
  "STORAGE_TABLE_PREFIX",
  "SWEEP_SCHEDULE",
  "GRAPH_CLIENT_ID",
  "GRAPH_CREDENTIAL_MODE",
  "GRAPH_MANAGED_IDENTITY_CLIENT_ID",
  "GRAPH_CLIENT_CERTIFICATE",
  "GRAPH_CLIENT_SECRET",
  "GRAPH_REPORTS_BUDGET_PER_10S",
  "APPROVAL_SIGNING_KEYS",
  "PUBLIC_BASE_URL",
  "MAIL_SENDER",
  "MAIL_TENANT_ID",
];

/** Schema settings a deployment leaves unset, and why. */
const NOT_DEPLOYED: Record<string, string> = {
  AzureWebJobsStorage: "a connection string carries the account key; shared-key access is off",
  GRAPH_CLIENT_CERTIFICATE_PATH: "a file on a developer's machine; Azure reads GRAPH_CLIENT_CERTIFICATE from Key Vault",
  GRAPH_AUTHORITY_HOST: "the default is the public cloud's; the simulator's for tests",
  GRAPH_BASE_URL: "the default is the public cloud's; the simulator's for tests",
  GRAPH_TIME_SCALE: "the simulator's time-scaled throttling only",
  SCAN_TIME_BUDGET_SECONDS: "the default fits host.json's functionTimeout",
  TENANTS_SOURCE: "the default reads the Tenants table",
  TENANT_IDS: "only with TENANTS_SOURCE=setting",
  APPROVAL_TTL_HOURS: "the default (72 h) unless an operator changes it",
  API_TENANT_ID: "set once the app registration exposes the ticketing app roles (docs/runbook, register a ticketing caller)",
  WEBSITE_AUTH_ENABLED: "set by the platform when App Service Authentication (authsettingsV2) is on",
  NOTIFY_SINKS: "no outbound-event sinks until an operator adds them (a Key Vault reference: webhook secrets are in it)",
};

/** Settings the platform reads (host storage connection, Application Insights, App Service Authentication's client assertion). */
const PLATFORM = [
  "AzureWebJobsStorage__credential",
  "APPLICATIONINSIGHTS_CONNECTION_STRING",
  "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
  "OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID",
];

/** Deprecated on Flex Consumption (https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations). */
const FLEX_DEPRECATED = [
  "FUNCTIONS_WORKER_RUNTIME",
  "FUNCTIONS_EXTENSION_VERSION",
  "FUNCTIONS_MAX_HTTP_CONCURRENCY",
  "FUNCTIONS_WORKER_PROCESS_COUNT",
  "WEBSITE_RUN_FROM_PACKAGE",
  "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING",
  "WEBSITE_CONTENTSHARE",
  "WEBSITE_NODE_DEFAULT_VERSION",
  "WEBSITE_MAX_DYNAMIC_APPLICATION_SCALE_OUT",
  "SCM_DO_BUILD_DURING_DEPLOYMENT",
  "ENABLE_ORYX_BUILD",
];

const SECRET_SETTINGS = ["APPROVAL_SIGNING_KEYS", "GRAPH_CLIENT_SECRET", "GRAPH_CLIENT_CERTIFICATE"];
const KEY_VAULT_REFERENCE = /^@Microsoft\.KeyVault\(SecretUri=⟨[^⟩]*vaultUri[^⟩]*⟩secrets\/([a-z0-9-]+)\/\)$/;

/** What Azure fills in for the values only a deployment knows (Opaque parts of a setting). */
const AZURE_VALUES: readonly [RegExp, string][] = [
  [/'identity'.*outputs\.clientId/, "8f6c1c2e-3b1d-4c0a-9e53-6f3f2a1b7c44"],
  [/'storage'.*outputs\.name/, "stpatrolabc123"],
  [
    /appInsightsConnectionString/,
    "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
  ],
  [/vaultUri/, "https://kv-patrol-abc123.vault.azure.net/"],
  [/defaultHostName/, "func-patrol-abc123.azurewebsites.net"],
];
/** What Key Vault holds under each secret name. */
const VAULT: Record<string, string> = {
  "approval-signing-keys": `k1:${Buffer.alloc(32, 7).toString("base64")}`,
  "graph-client-secret": "s3cret-from-key-vault",
  "graph-client-certificate": "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----",
};

const GRAPH_APP_ID = "11111111-2222-3333-4444-555555555555";
const MAIL_TENANT = "22222222-3333-4444-5555-666666666666";

/** The string constants named like `*_${suffix}` exported by every module in a folder. */
async function exportedNames(folder: string, suffix: string): Promise<string[]> {
  const names: string[] = [];
  for (const file of readdirSync(join(ROOT, folder)).filter((f) => f.endsWith(".ts"))) {
    const module = (await import(pathToFileURL(join(ROOT, folder, file)).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) if (name.endsWith(suffix) && typeof value === "string") names.push(value);
  }
  return names;
}

/** The last segment of a child resource's name (Azure fills in the parents' names). */
function leaf(name: Value): string | undefined {
  return valueText(name).split("/").at(-1);
}

function resolveAzure(value: Value, setting: string): string {
  if (typeof value === "string") return value;
  if (!(value instanceof Opaque)) throw new Error(`${setting}: not a string: ${JSON.stringify(value)}`);
  return value.text.includes("⟨") || !value.text.includes("(")
    ? value.text.replace(/⟨([^⟩]*)⟩/g, (_, text: string) => azureValue(text, setting))
    : azureValue(value.text, setting);
}

function azureValue(expression: string, setting: string): string {
  const known = AZURE_VALUES.find(([pattern]) => pattern.test(expression));
  if (!known) throw new Error(`${setting}: no sample for the deployment-time value ${expression}`);
  return known[1];
}

describe.skipIf(!BICEP)("infra/main.bicep compiled by the Bicep CLI", () => {
  let out: string;
  let main: Scope;
  let text: string;
  let buildDiagnostics: string;
  let canaryDiagnostics: string;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), "patrol-bicep-"));
    const cli = BICEP as string;
    // One build of the template and one lint of the canary, side by side.
    const [build, canary] = await Promise.all([
      run(cli, ["build", join(ROOT, "infra/main.bicep"), "--outfile", join(out, "main.json")]),
      run(cli, ["lint", join(ROOT, "test/infra/fixtures/lint-canary.bicep")]).then(
        () => ({ stdout: "", stderr: "" }),
        (error: { stdout: string; stderr: string }) => error,
      ),
    ]);
    buildDiagnostics = build.stderr + build.stdout;
    canaryDiagnostics = canary.stderr + canary.stdout;
    text = readFileSync(join(out, "main.json"), "utf8");
    main = new Scope(JSON.parse(text) as Template, { environmentName: "ci" });
  }, 120_000);

  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  /** The Function App's app settings for these main.bicep parameter values. */
  function appSettings(params: Record<string, Value>): Record<string, Value> {
    const app = new Scope(main.template, { environmentName: "ci", ...params }).module("function-app");
    const config = siteConfig(app, "appsettings");
    const settings = app.value(config.properties);
    if (!(settings !== null && typeof settings === "object" && !Array.isArray(settings) && !(settings instanceof Opaque)))
      throw new Error("app settings are not an object offline");
    return settings;
  }

  /** The site's config resource of that name (`appsettings`, `authsettingsV2`). */
  function siteConfig(app: Scope, name: string) {
    const found = app.resources().filter((r) => r.type === "Microsoft.Web/sites/config" && r.name.includes(`'${name}'`));
    expect(found, name).toHaveLength(1);
    return found[0] as NonNullable<(typeof found)[0]>;
  }

  function resource(scope: Scope, type: string) {
    const found = scope.resources().filter((r) => r.type === type);
    expect(found, type).toHaveLength(1);
    return found[0] as NonNullable<(typeof found)[0]>;
  }

  it("compiles with no warning", () => {
    expect(buildDiagnostics).toBe("");
  });

  it("treats every linter rule bicepconfig.json names as an error, and each one exists in this Bicep", () => {
    const config = JSON.parse(readFileSync(join(ROOT, "bicepconfig.json"), "utf8")) as {
      analyzers: { core: { enabled: boolean; rules: Record<string, { level: string }> } };
    };
    expect(config.analyzers.core.enabled).toBe(true);
    const rules = Object.entries(config.analyzers.core.rules);
    expect(rules.length).toBeGreaterThan(10);
    for (const [rule, { level }] of rules) {
      expect(level, rule).toBe("error");
      expect(canaryDiagnostics, `the canary breaks ${rule} and lint reports it as an error`).toContain(`Error ${rule}:`);
    }
  });

  it("runs the app on Flex Consumption (Linux, Node.js 22) as the user-assigned identity", () => {
    const app = main.module("function-app");
    const plan = resource(app, "Microsoft.Web/serverfarms");
    expect(app.value(plan.sku)).toEqual({ name: "FC1", tier: "FlexConsumption" });
    expect(app.value(plan.properties)).toMatchObject({ reserved: true });

    const site = resource(app, "Microsoft.Web/sites");
    expect(site.kind).toBe("functionapp,linux");
    const identity = app.value(site.identity) as Record<string, Value>;
    expect(identity.type).toBe("UserAssigned");
    const properties = app.value(site.properties) as Record<string, Record<string, Record<string, Value>>>;
    expect(valueText(properties.keyVaultReferenceIdentity as Value)).toMatch(/'identity'.*outputs\.id/);
    expect(properties.httpsOnly).toBe(true);
    const config = properties.functionAppConfig as Record<string, Record<string, Value>>;
    expect(config.runtime).toEqual({ name: "node", version: "22" });
    expect(config.scaleAndConcurrency).toEqual({ instanceMemoryMB: 2048, maximumInstanceCount: 20 });
    const storage = config.deployment?.storage as Record<string, Record<string, Value>>;
    expect(storage.type).toBe("blobContainer");
    expect(storage.authentication?.type).toBe("UserAssignedIdentity");
    expect(String((storage.authentication?.userAssignedIdentityResourceId as Opaque).text)).toMatch(/'identity'.*outputs\.id/);
  });

  it("splits Graph's app-wide reports limit over the instances by default", () => {
    for (const maximumInstanceCount of [1, 20, 100, 1000]) {
      const settings = appSettings({ maximumInstanceCount });
      expect(settings.GRAPH_REPORTS_BUDGET_PER_10S).toBe(
        String(Math.max(1, Math.floor(GRAPH_REPORTS_LIMIT_PER_10S / maximumInstanceCount))),
      );
    }
  });

  it("turns shared-key access off and keeps the account private", () => {
    const storage = main.module("storage");
    const account = storage.value(resource(storage, "Microsoft.Storage/storageAccounts").properties) as Record<string, Value>;
    expect(account).toMatchObject({
      allowSharedKeyAccess: false,
      allowBlobPublicAccess: false,
      minimumTlsVersion: "TLS1_2",
      supportsHttpsTrafficOnly: true,
    });
  });

  it("declares every queue the code names, and its -poison twin", async () => {
    const named = new Set([
      ...(await exportedNames("shared/queue", "_QUEUE")),
      ...FUNCTIONS.flatMap((f) => (f.trigger === "queue" ? [f.queueName] : [])),
    ]);
    expect(named.size).toBeGreaterThanOrEqual(4);
    const storage = main.module("storage");
    const queues = resource(storage, "Microsoft.Storage/storageAccounts/queueServices/queues");
    const declared = storage.instances(queues).map(({ scope, resource: r }) => leaf(scope.value(r.name)));
    for (const queue of named) {
      expect(declared).toContain(queue);
      expect(declared).toContain(`${queue}-poison`);
    }
  });

  it("declares every table the code names, under STORAGE_TABLE_PREFIX as TableStore names it", async () => {
    const named = await exportedNames("shared/storage", "_TABLE");
    expect(named).toEqual(expect.arrayContaining(["TenantLeases", "ScanCheckpoints", "Acceptances", "TenantSummaries"]));
    for (const prefix of ["", "Patrol"]) {
      const scope = new Scope(main.template, { environmentName: "ci", storageTablePrefix: prefix });
      const storage = scope.module("storage");
      const tables = resource(storage, "Microsoft.Storage/storageAccounts/tableServices/tables");
      const declared = storage.instances(tables).map(({ scope: s, resource: r }) => leaf(s.value(r.name)));
      const store = new TableStore({ connectionString: "UseDevelopmentStorage=true" }, { tableNamePrefix: prefix });
      expect(declared.sort()).toEqual(named.map((t) => store.tableName(t)).sort());
      expect(prefix === "" || appSettings({ storageTablePrefix: prefix }).STORAGE_TABLE_PREFIX === prefix).toBe(true);
    }
  });

  it("signs people in with Entra ID in front of the functions, blocking nobody, with no secret", () => {
    const signedOut = new Scope(main.template, { environmentName: "ci" }).module("function-app");
    expect(signedOut.instances(siteConfig(signedOut, "authsettingsV2")), "no sign-in before the app registration exists").toEqual([]);

    const app = new Scope(main.template, { environmentName: "ci", graphClientId: GRAPH_APP_ID }).module("function-app");
    const [auth] = app.instances(siteConfig(app, "authsettingsV2"));
    const properties = auth?.scope.value(auth.resource.properties) as Record<string, Record<string, Value>>;
    expect(properties.platform).toMatchObject({ enabled: true });
    // Approval links, the ticketing API and the OpenAPI document stay anonymous: each function decides.
    expect(properties.globalValidation).toEqual({ requireAuthentication: false, unauthenticatedClientAction: "AllowAnonymous" });
    expect(properties.httpSettings).toMatchObject({ requireHttps: true });
    expect(properties.login).toMatchObject({ tokenStore: { enabled: false } });

    const entra = properties.identityProviders?.azureActiveDirectory as Record<string, Record<string, Value>>;
    expect(entra.enabled).toBe(true);
    expect(entra.validation).toEqual({ allowedAudiences: [GRAPH_APP_ID] });
    const registration = entra.registration as Record<string, Value>;
    expect(registration.clientId).toBe(GRAPH_APP_ID);
    expect(valueText(registration.openIdIssuer)).toBe("⟨environment().authentication.loginEndpoint⟩⟨tenant().tenantId⟩/v2.0");
    // The client assertion is the app's identity's token (the registration's federated credential), not a secret.
    const assertion = appSettings({ graphClientId: GRAPH_APP_ID })[valueText(registration.clientSecretSettingName)];
    expect(registration.clientSecretSettingName).toBe("OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID");
    expect(valueText(assertion)).toMatch(/'identity'.*outputs\.clientId/);
  });

  it("gives the app's identity its role on each data plane it touches", () => {
    const granted = new Map<string, Set<string>>();
    for (const name of ["storage", "key-vault", "monitoring"]) {
      const module = main.module(name);
      for (const assignment of module.resources().filter((r) => r.type === "Microsoft.Authorization/roleAssignments")) {
        for (const { scope, resource: r } of module.instances(assignment)) {
          const properties = scope.value(r.properties) as Record<string, Value>;
          const principal = properties.principalId;
          if (!(principal instanceof Opaque && /'identity'.*outputs\.principalId/.test(principal.text))) continue;
          const target = valueText(scope.value(r.scope));
          const type = Object.keys(REQUIRED_ROLES).find((t) => target.includes(t)) ?? target;
          const role = valueText(properties.roleDefinitionId).split("/").at(-1) as string;
          granted.set(type, (granted.get(type) ?? new Set()).add(role));
        }
      }
    }
    for (const [type, roles] of Object.entries(REQUIRED_ROLES))
      expect([...(granted.get(type) ?? [])].sort(), type).toEqual([...roles].sort());
  });

  it("sets exactly the schema's deployment settings and the platform's, nothing Flex Consumption deprecates", () => {
    expect([...DEPLOYED, ...Object.keys(NOT_DEPLOYED)].sort(), "every schema setting is either deployed or explained").toEqual(
      [...SETTING_NAMES].sort(),
    );
    const seen = new Set<string>();
    const scenarios: Record<string, Value>[] = [
      {},
      ...CREDENTIAL_MODES.map((mode) => ({
        graphClientId: GRAPH_APP_ID,
        graphCredentialMode: mode,
        mailSender: "patrol@contoso.com",
        mailTenantId: MAIL_TENANT,
        storageTablePrefix: "Patrol",
      })),
    ];
    for (const params of scenarios) {
      for (const name of Object.keys(appSettings(params))) {
        seen.add(name);
        expect([...DEPLOYED, ...PLATFORM], `${name} is read by the code or the platform`).toContain(name);
        expect(FLEX_DEPRECATED).not.toContain(name);
      }
    }
    expect([...seen].sort()).toEqual([...DEPLOYED, ...PLATFORM].sort());
  });

  it("gives loadSettings what it needs in every credential mode, secrets through Key Vault references", () => {
    const vault = main.module("key-vault");
    const writable = vault
      .resources()
      .filter((r) => r.type === "Microsoft.KeyVault/vaults/secrets")
      .map((r) => leaf(vault.value(r.name)));
    for (const mode of CREDENTIAL_MODES) {
      const raw = appSettings({
        graphClientId: GRAPH_APP_ID,
        graphCredentialMode: mode,
        mailSender: "patrol@contoso.com",
        mailTenantId: MAIL_TENANT,
      });
      const env: Record<string, string> = {};
      for (const [name, value] of Object.entries(raw)) {
        const resolved = resolveAzure(value, name);
        if (SECRET_SETTINGS.includes(name)) {
          const secret = KEY_VAULT_REFERENCE.exec(valueText(value))?.[1];
          expect(secret, `${name} is a versionless Key Vault reference`).toBeDefined();
          expect(writable, `the vault module can store ${secret}`).toContain(secret);
          env[name] = VAULT[secret as string] as string;
        } else {
          expect(resolved, `${name} is not a Key Vault reference`).not.toMatch(/@Microsoft\.KeyVault/);
          env[name] = resolved;
        }
      }
      const settings = loadSettings(env);
      expect(settings.storage).toEqual({
        kind: "managedIdentity",
        accountName: "stpatrolabc123",
        clientId: azureValue("'identity' outputs.clientId", ""),
        tablePrefix: "",
      });
      expect(settings.graph.credential?.kind).toBe(mode);
      expect(settings.graph.credential?.clientId).toBe(GRAPH_APP_ID);
      expect(settings.approvals?.publicBaseUrl).toBe("https://func-patrol-abc123.azurewebsites.net");
      expect(settings.approvals?.mailTenantId).toBe(MAIL_TENANT);
      expect(env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toBe(`Authorization=AAD;ClientId=${env.AzureWebJobsStorage__clientId}`);
    }
    // A first deployment, before the app registration exists: valid, no Graph credential, no approvals.
    const first = Object.fromEntries(Object.entries(appSettings({})).map(([name, value]) => [name, resolveAzure(value, name)]));
    const settings = loadSettings(first);
    expect(settings.graph.credential).toBeUndefined();
    expect(settings.approvals).toBeUndefined();
    expect(settings.sweepSchedule).toBe("0 0 2 * * *");
  });

  it("holds no secret: no keys listed, secure parameters only, nothing secret in outputs", () => {
    expect(text).not.toMatch(/list(Keys|Secrets|AccountSas|ServiceSas)\s*\(/i);
    expect(text).not.toMatch(/AccountKey=/i);
    const templates: Template[] = [
      main.template,
      ...["identity", "monitoring", "storage", "key-vault", "function-app"].map((m) => main.module(m).template),
    ];
    for (const template of templates) {
      for (const [name, declared] of Object.entries(template.parameters ?? {})) {
        if (/secret|password|signingkeys|pem/i.test(name)) expect(declared.type, name).toBe("securestring");
        if (declared.type === "securestring") expect(declared.defaultValue ?? "", name).toBe("");
      }
      const secure = Object.entries(template.parameters ?? {})
        .filter(([, d]) => d.type === "securestring")
        .map(([n]) => n);
      for (const [name, output] of Object.entries(template.outputs ?? {})) {
        expect(name).not.toMatch(/secret|password|token|pem|signing/i);
        for (const parameter of secure) expect(JSON.stringify(output.value), name).not.toContain(`'${parameter}'`);
      }
    }
  });

  it("maps azd's environment onto the parameters, and azure.yaml deploys the api service to it", () => {
    const parameters = JSON.parse(readFileSync(join(ROOT, "infra/main.parameters.json"), "utf8")) as {
      parameters: Record<string, { value: string }>;
    };
    for (const name of Object.keys(parameters.parameters)) expect(Object.keys(main.template.parameters ?? {})).toContain(name);
    expect(parameters.parameters.environmentName?.value).toBe("${AZURE_ENV_NAME}");
    expect(parameters.parameters.location?.value).toBe("${AZURE_LOCATION}");
    const azureYaml = readFileSync(join(ROOT, "azure.yaml"), "utf8");
    expect(azureYaml).toMatch(/^ {2}api:\n {4}project: \.\n {4}language: ts\n {4}host: function$/m);
    // azd deploys the unpacked zip of `npm run package` (https://learn.microsoft.com/azure/developer/azure-developer-cli/azd-schema).
    const dist = /^ {4}dist: (\S+)$/m.exec(azureYaml)?.[1];
    expect(azureYaml).toMatch(
      new RegExp(`prepackage:[\\s\\S]*run: npm run package && .*unzip -q \\S+ -d ${dist?.replace(/\./g, "\\.") ?? "-"}\n`),
    );
    const site = resource(main.module("function-app"), "Microsoft.Web/sites");
    expect(String(site.tags)).toContain("'azd-service-name', 'api'");
  });
});
