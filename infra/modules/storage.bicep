// The app's storage account: Functions host storage (blob leases and keys, timer schedule), the
// Flex Consumption deployment container, the queues and the tables of the code. Shared-key access
// is off: everything signs in with Entra ID, the app through its user-assigned identity
// (https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity).

@description('Storage account name (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Blob container Flex Consumption deploys the app package from.')
param deploymentContainerName string

@description('Queues the app reads and writes (each gets its -poison twin).')
param queueNames string[]

@description('Tables the app uses, with STORAGE_TABLE_PREFIX already applied.')
param tableNames string[]

@description('Principal id of the app\'s user-assigned managed identity.')
param identityPrincipalId string

@description('Optional: an operator (user or group) who runs the tenants/sweep CLI against this account; empty for none.')
param operatorPrincipalId string

@description('Principal type of operatorPrincipalId.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string

// Built-in role ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
var roles = {
  // Host storage (keys, timer and singleton leases) and the Flex deployment package.
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  // Queue triggers (read, process, move to -poison, create missing queues) and the code's enqueueAll.
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  // The code's repositories (create tables, read and write entities).
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
}
var appRoles = [roles.blobDataOwner, roles.queueDataContributor, roles.tableDataContributor]
var operatorRoles = empty(operatorPrincipalId) ? [] : [roles.queueDataContributor, roles.tableDataContributor]
// The host moves a message it gave up on to <queue>-poison (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger#poison-messages).
var allQueues = flatten(map(queueNames, q => [q, '${q}-poison']))

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: { publicAccess: 'None' }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [
  for queue in allQueues: {
    parent: queueService
    name: queue
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [
  for table in tableNames: {
    parent: tableService
    name: table
  }
]

resource appRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in appRoles: {
    name: guid(account.id, identityPrincipalId, role)
    scope: account
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: identityPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource operatorRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in operatorRoles: {
    name: guid(account.id, operatorPrincipalId, role)
    scope: account
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: operatorPrincipalId
      principalType: operatorPrincipalType
    }
  }
]

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output deploymentContainerName string = deploymentContainer.name
