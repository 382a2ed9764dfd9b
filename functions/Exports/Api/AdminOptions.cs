using CleverTapSegment.Hosting;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Exports.Api;

/// <summary>Settings <c>Admin__*</c>: the management key (docs/deploy.md "Access").</summary>
public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    /// <summary>
    /// The management key: the value the <c>x-functions-key</c> header (or <c>?code=</c>) carries for the management
    /// API and the dashboard. Required when the app runs locally (Development: <c>./dev run</c>, <c>func start</c>).
    /// In Azure it is optional: signed-in users (App Service Authentication) need none; without it, only they get
    /// in, and with neither nobody does. The Functions host's own function keys do not open the management API (its
    /// routes are anonymous to the host so that a signed-in user gets through; see <see cref="ManagementAccess"/>).
    /// </summary>
    public string? ApiKey { get; set; }
}

/// <summary>Fails start-up of a local run without a key: nobody could use the management API or the dashboard.</summary>
internal sealed class AdminOptionsValidator(FunctionsEnvironment environment) : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options) =>
        environment.IsDevelopment && string.IsNullOrWhiteSpace(options.ApiKey)
            ? ValidateOptionsResult.Fail($"Admin__ApiKey is required when the app runs locally ({FunctionsEnvironment.SettingName}=Development, where no sign-in stands in front of the app): it guards the management API (x-functions-key header).")
            : ValidateOptionsResult.Success;
}
