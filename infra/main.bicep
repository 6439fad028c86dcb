// tenant-patrol in one resource group: `azd up` (azure.yaml), or
// `az deployment group create -g <group> -f infra/main.bicep -p environmentName=<name>`.
// Resource-group scope, so azd needs rights on one group only
// (https://learn.microsoft.com/azure/developer/azure-developer-cli/resource-group-scoped-deployments).
targetScope = 'resourceGroup'

@description('azd environment name; part of every resource name\'s unique suffix.')
@minLength(1)
@maxLength(64)
param environmentName string

@description('Short name put in front of every resource name (lower-case letters and digits).')
@minLength(2)
@maxLength(12)
param namePrefix string = 'patrol'

@description('Azure region of every resource (one that offers Flex Consumption).')
@metadata({ azd: { type: 'location' } })
param location string = resourceGroup().location

@description('SWEEP_SCHEDULE: when the nightly sweep starts, 6-field NCRONTAB in UTC.')
param sweepSchedule string = '0 0 2 * * *'

@description('MAIL_SENDER: UPN or user id of the mailbox that sends approval digests (needs Mail.Send). Empty: no approval emails.')
param mailSender string = ''

@description('MAIL_TENANT_ID: tenant holding the MAIL_SENDER mailbox. Empty: each digest goes through the scanned tenant.')
param mailTenantId string = ''

@description('GRAPH_CLIENT_ID: client id of the multi-tenant app registration (also the app people sign in to for the reports). Empty until it exists (first deployment: the federated credential needs this deployment\'s identity).')
param graphClientId string = ''

@description('GRAPH_CREDENTIAL_MODE: managed-identity (secretless federated credential), certificate or secret (both from Key Vault).')
@allowed(['managed-identity', 'certificate', 'secret'])
param graphCredentialMode string = 'managed-identity'

@description('Memory per Flex Consumption instance (MB).')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Most instances the app scales out to (Flex Consumption allows 1 to 1000).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 20

// 122: Graph's reports limit per app across tenants (GRAPH_REPORTS_LIMIT_PER_10S in shared/config/settings.ts).
@description('GRAPH_REPORTS_BUDGET_PER_10S: each instance\'s share of Graph\'s app-wide reports limit (122 per 10 s); default: that limit over maximumInstanceCount.')
@minValue(1)
@maxValue(122)
param graphReportsBudgetPer10s int = max(1, 122 / maximumInstanceCount)

@description('STORAGE_TABLE_PREFIX: put in front of every table name (letters and digits); empty for none.')
@maxLength(20)
param storageTablePrefix string = ''

@description('Object id of an operator (user or group) who may run the tenants CLI against the storage account and store the vault\'s secrets; azd passes the signed-in user. Empty: none.')
param operatorPrincipalId string = ''

@description('Principal type of operatorPrincipalId.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string = 'User'

@description('Key Vault purge protection (cannot be turned off again once on).')
param keyVaultPurgeProtection bool = true

@secure()
@description('APPROVAL_SIGNING_KEYS to store in Key Vault (kid:base64secret[,...], secrets of 32+ bytes). Empty: keep the vault\'s.')
param approvalSigningKeys string = ''

@secure()
@description('Client secret of the app registration to store in Key Vault (mode secret). Empty: keep the vault\'s.')
param graphClientSecret string = ''

@secure()
@description('PEM (private key + certificate) of the app registration to store in Key Vault (mode certificate). Empty: keep the vault\'s (for example a certificate imported as graph-client-certificate).')
param graphClientCertificatePem string = ''

var resourceToken = toLower(uniqueString(resourceGroup().id, environmentName, location))
var prefix = toLower(namePrefix)
var tags = { 'azd-env-name': environmentName, app: 'tenant-patrol' }
var functionAppName = 'func-${prefix}-${resourceToken}'
// Entra ID issuer of this deployment's tenant: the managed identity's federated credential on the
// app registration, and the people signing in to the reports.
var tenantIssuer = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'

// The queues of shared/queue (scan-message.ts, approvals-message.ts): one per queue function.
var queueNames = ['scan-tenant', 'scan-tenant-long', 'scan-tenant-continue', 'send-approvals', 'notify-events', 'notify-delivery']
// The tables of shared/storage (the *_TABLE constants), named as TableStore names them.
var tableNames = map(
  ['Tenants', 'Runs', 'TenantRuns', 'Findings', 'FindingEvents', 'Approvals', 'Audit', 'Digests', 'TenantLeases', 'ScanCheckpoints', 'RemediationRequests', 'Callers', 'Deliveries', 'Acceptances', 'TenantSummaries'],
  table => '${storageTablePrefix}${table}'
)
var vaultItems = {
  approvalSigningKeys: 'approval-signing-keys'
  graphClientSecret: 'graph-client-secret'
  graphClientCertificate: 'graph-client-certificate'
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${prefix}-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${prefix}-${resourceToken}'
    appInsightsName: 'appi-${prefix}-${resourceToken}'
    location: location
    tags: tags
    identityPrincipalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'st${take(replace(prefix, '-', ''), 9)}${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: 'app-package'
    queueNames: queueNames
    tableNames: tableNames
    identityPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
  }
}

module vault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  params: {
    name: 'kv-${take(prefix, 6)}-${resourceToken}'
    location: location
    tags: tags
    identityPrincipalId: identity.outputs.principalId
    operatorPrincipalId: operatorPrincipalId
    operatorPrincipalType: operatorPrincipalType
    enablePurgeProtection: keyVaultPurgeProtection
    vaultItems: vaultItems
    approvalSigningKeys: approvalSigningKeys
    graphClientSecret: graphClientSecret
    graphClientCertificatePem: graphClientCertificatePem
  }
}

module app 'modules/function-app.bicep' = {
  name: 'function-app'
  params: {
    name: functionAppName
    planName: 'plan-${prefix}-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    vaultUri: vault.outputs.vaultUri
    vaultItems: vaultItems
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    sweepSchedule: sweepSchedule
    storageTablePrefix: storageTablePrefix
    graphClientId: graphClientId
    graphCredentialMode: graphCredentialMode
    graphReportsBudgetPer10s: graphReportsBudgetPer10s
    mailSender: mailSender
    mailTenantId: mailTenantId
    signInIssuer: tenantIssuer
  }
}

// azd stores these in the environment (.azure/<env>/.env); no secrets among them.
output AZURE_FUNCTION_APP_NAME string = app.outputs.name
output PUBLIC_BASE_URL string = 'https://${app.outputs.defaultHostName}'
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_KEY_VAULT_NAME string = vault.outputs.name
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
// For the app registration's federated credential: issuer, and subject = this principal id.
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output FEDERATED_CREDENTIAL_ISSUER string = tenantIssuer
