using CleverTapSegment.Hosting;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Exports.Api;

/// <summary>Settings <c>Admin__*</c>: the management API key checked in standalone mode.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>
    /// The value the <c>x-functions-key</c> header must carry in standalone mode. In Azure the Functions host checks
    /// function keys before forwarding (https://learn.microsoft.com/azure/azure-functions/function-keys-how-to), so
    /// the app does not, and this may be empty.
    /// </summary>
    public string? ApiKey { get; set; }
}

/// <summary>Fails start-up in standalone mode without a key: the management API would otherwise be open.</summary>
internal sealed class AdminOptionsValidator(HostingMode hostingMode) : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options) =>
        hostingMode.IsStandalone && string.IsNullOrWhiteSpace(options.ApiKey)
            ? ValidateOptionsResult.Fail($"Admin__ApiKey is required in standalone mode (no {FunctionsHosting.CustomHandlerPortSetting}): it guards the management API (x-functions-key header).")
            : ValidateOptionsResult.Success;
}
