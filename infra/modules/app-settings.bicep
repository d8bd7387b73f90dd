metadata name = 'Function App settings'
metadata description = 'Sets the complete app settings of an existing Function App. A separate step because one setting (the public URL) needs the host name the app gets when it is created.'

@description('Required. Name of the existing Function App.')
param functionAppName string

@description('Required. Every app setting, as name-value pairs. Replaces the existing settings.')
param appSettings object

resource site 'Microsoft.Web/sites@2024-11-01' existing = {
  name: functionAppName
}

resource settings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}
