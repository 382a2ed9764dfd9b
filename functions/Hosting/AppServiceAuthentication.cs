namespace CleverTapSegment.Hosting;

/// <summary>
/// Whether App Service Authentication ("Easy Auth") stands in front of the app, as the platform says through
/// <c>WEBSITE_AUTH_ENABLED</c>: set from the site's auth settings (infra/modules/functionapp.bicep) and handed to the
/// Functions host, whose environment the worker inherits
/// (https://github.com/Azure/azure-functions-host/blob/89dc438d476542786f2fc4070f553423213a6223/src/WebJobs.Script.WebHost/Models/HostAssignmentContext.cs#L153-L166).
/// Only then are the <c>X-MS-CLIENT-PRINCIPAL*</c> headers the platform's: it strips them from incoming requests and
/// sets them for a signed-in caller ("External requests aren't allowed to set these headers",
/// https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities#access-user-claims-in-app-code).
/// Without it anyone can send them, so nothing may trust them.
/// </summary>
public sealed record AppServiceAuthentication(bool IsEnabled)
{
    public const string SettingName = "WEBSITE_AUTH_ENABLED";

    /// <summary>Read as the Functions host reads it: a boolean ("True") or a number ("1").</summary>
    public static AppServiceAuthentication FromConfiguration(IConfiguration configuration)
    {
        var value = configuration[SettingName]?.Trim();
        var enabled = bool.TryParse(value, out var flag) ? flag : int.TryParse(value, out var number) && number != 0;
        return new AppServiceAuthentication(enabled);
    }
}
