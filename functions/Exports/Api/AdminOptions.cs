using CleverTapSegment.Hosting;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Exports.Api;

/// <summary>Settings <c>Admin__*</c>: the management API key checked when the app runs locally.</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>
    /// The value the <c>x-functions-key</c> header must carry when the app runs locally (Development: <c>./dev run</c>,
    /// <c>func start</c>), where no host checks function keys. In Azure the Functions host checks function keys before
    /// the app sees a request (https://learn.microsoft.com/azure/azure-functions/function-keys-how-to), so the app
    /// does not, and this may be empty.
    /// </summary>
    public string? ApiKey { get; set; }
}

/// <summary>Fails start-up of a local run without a key: the management API would otherwise be open.</summary>
internal sealed class AdminOptionsValidator(FunctionsEnvironment environment) : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options) =>
        environment.IsDevelopment && string.IsNullOrWhiteSpace(options.ApiKey)
            ? ValidateOptionsResult.Fail($"Admin__ApiKey is required when the app runs locally ({FunctionsEnvironment.SettingName}=Development, where function keys are not checked): it guards the management API (x-functions-key header).")
            : ValidateOptionsResult.Success;
}
