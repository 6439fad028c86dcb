// Key Vault in RBAC mode for the approval-link signing keys and the Graph app credential (client
// secret, or certificate PEM). The app reads them through Key Vault references resolved with its
// user-assigned identity (https://learn.microsoft.com/azure/app-service/app-service-key-vault-references).
// A secret parameter left empty writes nothing: the secret is then expected to be stored by hand
// (az keyvault secret set / certificate import), and an earlier value is kept.

@description('Key Vault name (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

@description('Principal id of the app\'s user-assigned managed identity.')
param identityPrincipalId string

@description('Optional: an operator (user or group) who stores and rotates the secrets; empty for none.')
param operatorPrincipalId string

@description('Principal type of operatorPrincipalId.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param operatorPrincipalType string

@description('Purge protection: a deleted vault and its secrets cannot be purged before the retention ends.')
param enablePurgeProtection bool

@description('Names of the vault items the app settings reference.')
param vaultItems { approvalSigningKeys: string, graphClientSecret: string, graphClientCertificate: string }

@secure()
@description('APPROVAL_SIGNING_KEYS (kid:base64secret[,kid:base64secret...]); empty keeps what the vault holds.')
param approvalSigningKeys string

@secure()
@description('Client secret of the Graph app registration (credential mode secret); empty keeps what the vault holds.')
param graphClientSecret string

@secure()
@description('PEM (private key + certificate) of the Graph app registration (credential mode certificate); empty keeps what the vault holds.')
param graphClientCertificatePem string

// Built-in role ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
var roles = {
  secretsUser: '4633458b-17de-408a-b874-0445c86b69e6' // Key Vault Secrets User
  secretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7' // Key Vault Secrets Officer
  certificatesOfficer: 'a4417e6f-fecd-4de8-b567-7b0420556985' // Key Vault Certificates Officer
}
var operatorRoles = empty(operatorPrincipalId) ? [] : [roles.secretsOfficer, roles.certificatesOfficer]

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // The property accepts true or nothing: purge protection cannot be turned off once on.
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

resource signingKeys 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(approvalSigningKeys)) {
  parent: vault
  name: vaultItems.approvalSigningKeys
  properties: {
    value: approvalSigningKeys
    contentType: 'text/plain'
  }
}

resource clientSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(graphClientSecret)) {
  parent: vault
  name: vaultItems.graphClientSecret
  properties: {
    value: graphClientSecret
    contentType: 'text/plain'
  }
}

resource clientCertificate 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(graphClientCertificatePem)) {
  parent: vault
  name: vaultItems.graphClientCertificate
  properties: {
    value: graphClientCertificatePem
    contentType: 'application/x-pem-file'
  }
}

resource appSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identityPrincipalId, roles.secretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.secretsUser)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource operatorRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in operatorRoles: {
    name: guid(vault.id, operatorPrincipalId, role)
    scope: vault
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
      principalId: operatorPrincipalId
      principalType: operatorPrincipalType
    }
  }
]

output name string = vault.name
output vaultUri string = vault.properties.vaultUri
