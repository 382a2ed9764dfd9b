// Parameters for infra/main.bicep. Secrets are read from environment variables at deployment time, so none is
// ever written to this file (docs/deploy.md lists the variables). readEnvironmentVariable without a default fails
// the deployment when the variable is missing, which is what we want for the required ones.
using './main.bicep'

param namePrefix = readEnvironmentVariable('CTSEG_NAME_PREFIX', 'ctseg')
param hostingPlan = readEnvironmentVariable('CTSEG_HOSTING_PLAN', 'FlexConsumption')
param dotnetVersion = readEnvironmentVariable('CTSEG_DOTNET_VERSION', '10.0')
param deployerPrincipalId = readEnvironmentVariable('AZURE_PRINCIPAL_ID', '')

// CleverTap
param cleverTapAccountId = readEnvironmentVariable('CLEVERTAP_ACCOUNT_ID')
param cleverTapPasscode = readEnvironmentVariable('CLEVERTAP_PASSCODE')
param cleverTapRegion = readEnvironmentVariable('CLEVERTAP_REGION', 'eu1')
param cleverTapTimeZone = readEnvironmentVariable('CLEVERTAP_TIME_ZONE', 'UTC')
param cleverTapMaxConcurrentUploads = 3
// Named extra accounts, e.g. [ { name: 'eu-app', accountId: 'W9R-…', region: 'eu1' } ], with their passcodes in
// cleverTapConnectionPasscodes = { 'eu-app': readEnvironmentVariable('CLEVERTAP_PASSCODE_EU_APP') }.
param cleverTapConnections = []

// Segment → CleverTap endpoint
param ingestKeyStyle = 'snake_case'
param ingestRefuseAnonymous = false
param segmentSharedSecret = readEnvironmentVariable('SEGMENT_SHARED_SECRET', '')
param segmentSharedSecretNext = readEnvironmentVariable('SEGMENT_SHARED_SECRET_NEXT', '')

// Exports
param exportsSchedulerSchedule = '0 */15 * * * *'

// Access (docs/deploy.md "Access"): Entra sign-in for the dashboard and the management API, and the management key.
param entraClientId = readEnvironmentVariable('CTSEG_ENTRA_CLIENT_ID', '')
param entraClientCredential = readEnvironmentVariable('CTSEG_ENTRA_CREDENTIAL', 'managedIdentity')
param entraClientSecret = readEnvironmentVariable('ENTRA_CLIENT_SECRET', '')
param adminApiKey = readEnvironmentVariable('ADMIN_API_KEY', '')
