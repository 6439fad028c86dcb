// The app's user-assigned managed identity: host storage, deployment package, Key Vault references,
// Application Insights ingestion, the code's own Table/Queue clients and (credential mode
// managed-identity) the federated credential of the Graph app registration, which must be a
// user-assigned identity (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity).

@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
