// The Function App on the Flex Consumption plan (Linux, Node.js 22), running as the user-assigned
// identity, with the app settings that shared/config/settings.ts reads in Azure
// (https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan). Flex Consumption
// deprecates FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE,
// WEBSITE_CONTENT* and friends: runtime, scale and deployment live in functionAppConfig instead
// (https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations).

@description('Function App name.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Resource id of the user-assigned managed identity.')
param identityId string

@description('Client id of the user-assigned managed identity.')
param identityClientId string

@description('Storage account of the host, the queues and the tables.')
param storageAccountName string

@description('Blob endpoint of that account (https://<account>.blob.<suffix>/).')
param storageBlobEndpoint string

@description('Container the deployment package is uploaded to.')
param deploymentContainerName string

@description('Application Insights connection string (ingestion needs an Entra token besides).')
param appInsightsConnectionString string

@description('Key Vault URI (https://<vault>.vault.<suffix>/).')
param vaultUri string

@description('Names of the vault items the app settings reference.')
param vaultItems { approvalSigningKeys: string, graphClientSecret: string, graphClientCertificate: string }

@description('Memory per instance (MB).')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('SWEEP_SCHEDULE: 6-field NCRONTAB, UTC.')
param sweepSchedule string

@description('STORAGE_TABLE_PREFIX; empty for none.')
param storageTablePrefix string

@description('GRAPH_CLIENT_ID; empty until the app registration exists (no Graph credential settings then).')
param graphClientId string

@description('GRAPH_CREDENTIAL_MODE.')
@allowed(['managed-identity', 'certificate', 'secret'])
param graphCredentialMode string

@description('GRAPH_REPORTS_BUDGET_PER_10S: this instance\'s share of the app-wide reports limit.')
param graphReportsBudgetPer10s int

@description('MAIL_SENDER; empty turns approval emails off (and with them APPROVAL_SIGNING_KEYS and PUBLIC_BASE_URL).')
param mailSender string

@description('MAIL_TENANT_ID; empty sends each digest through the scanned tenant.')
param mailTenantId string

@description('Entra ID issuer of the tenant whose people sign in to the reports (<login endpoint>/<tenant id>/v2.0).')
param signInIssuer string

// Versionless references follow rotation (https://learn.microsoft.com/azure/app-service/app-service-key-vault-references#rotation).
var keyVaultReferences = {
  approvalSigningKeys: '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${vaultItems.approvalSigningKeys}/)'
  graphClientSecret: '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${vaultItems.graphClientSecret}/)'
  graphClientCertificate: '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/${vaultItems.graphClientCertificate}/)'
}

// Identity-based host storage with a user-assigned identity
// (https://learn.microsoft.com/azure/azure-functions/functions-reference#common-properties-for-identity-based-connections).
var hostSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  // Entra-authenticated ingestion (https://learn.microsoft.com/azure/azure-functions/configure-monitoring#enable-microsoft-entra-authentication).
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
}

var sweepSettings = union(
  {
    SWEEP_SCHEDULE: sweepSchedule
    GRAPH_REPORTS_BUDGET_PER_10S: string(graphReportsBudgetPer10s)
  },
  empty(storageTablePrefix) ? {} : { STORAGE_TABLE_PREFIX: storageTablePrefix }
)

// Exactly the settings of the chosen credential mode (settings.ts refuses a second credential).
var credentialSettings = {
  'managed-identity': { GRAPH_MANAGED_IDENTITY_CLIENT_ID: identityClientId }
  certificate: { GRAPH_CLIENT_CERTIFICATE: keyVaultReferences.graphClientCertificate }
  secret: { GRAPH_CLIENT_SECRET: keyVaultReferences.graphClientSecret }
}
var graphSettings = empty(graphClientId)
  ? {}
  : union({ GRAPH_CLIENT_ID: graphClientId, GRAPH_CREDENTIAL_MODE: graphCredentialMode }, credentialSettings[graphCredentialMode])

// Sign-in to the reports with the app registration, secretless: App Service Authentication takes the
// managed identity's token as its client assertion when the client secret setting is named
// OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID and holds the identity's client id; the registration already
// trusts the identity (runbook page 2.2). Without a client assertion it would use the implicit flow,
// which Microsoft does not recommend (https://learn.microsoft.com/azure/app-service/configure-authentication-provider-aad#use-a-managed-identity-instead-of-a-secret-preview, preview).
var signInCredentialSetting = 'OVERRIDE_USE_MI_FIC_ASSERTION_CLIENTID'
var signInSettings = empty(graphClientId) ? {} : { '${signInCredentialSetting}': identityClientId }

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// Approval emails: APPROVAL_SIGNING_KEYS, PUBLIC_BASE_URL and MAIL_SENDER go together (settings.ts).
var approvalSettings = empty(mailSender)
  ? {}
  : union(
      {
        APPROVAL_SIGNING_KEYS: keyVaultReferences.approvalSigningKeys
        PUBLIC_BASE_URL: 'https://${site.properties.defaultHostName}'
        MAIL_SENDER: mailSender
      },
      empty(mailTenantId) ? {} : { MAIL_TENANT_ID: mailTenantId }
    )

// A separate resource so PUBLIC_BASE_URL can use the site's own host name; it replaces all settings.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(hostSettings, sweepSettings, graphSettings, approvalSettings, signInSettings)
}

// App Service Authentication (Easy Auth v2) in front of the functions, from the first deployment that
// knows the app registration. It signs people in and validates Entra tokens, but blocks nothing:
// approval links, the ticketing API (function keys, callers' tokens) and the OpenAPI document stay
// open to anonymous clients, and each function decides (reports need the app role Reports.Read,
// accepting risks Risks.Accept; runbook page 12). The code reads x-ms-client-principal only when the
// platform sets WEBSITE_AUTH_ENABLED=True, because then App Service injects that header itself and
// "External requests aren't allowed to set these headers"
// (https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities#access-user-claims-in-app-code;
// WEBSITE_AUTH_ENABLED: https://learn.microsoft.com/azure/app-service/reference-app-settings).
// Schema: https://learn.microsoft.com/azure/templates/microsoft.web/sites/config-authsettingsv2.
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(graphClientId)) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true, runtimeVersion: '~1' }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: graphClientId
          // The operator's tenant only, not /common or /organizations: a multi-tenant issuer would let
          // any tenant's users sign in (https://learn.microsoft.com/azure/app-service/configure-authentication-provider-aad#authorize-requests).
          openIdIssuer: signInIssuer
          clientSecretSettingName: signInCredentialSetting
        }
        // v2 tokens (runbook page 10 asks for them) carry the client id as their audience.
        validation: { allowedAudiences: [graphClientId] }
      }
    }
    login: {
      // The code reads the claims from x-ms-client-principal; it needs no provider token.
      tokenStore: { enabled: false }
      preserveUrlFragmentsForLogins: true
    }
    httpSettings: { requireHttps: true }
  }
}

// No FTP or SCM basic-auth publishing: azd and az deploy with Entra tokens.
resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: { allow: false }
}

resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: { allow: false }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
