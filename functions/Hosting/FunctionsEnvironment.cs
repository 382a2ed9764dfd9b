namespace CleverTapSegment.Hosting;

/// <summary>
/// Where the worker runs, as the Functions host says through <c>AZURE_FUNCTIONS_ENVIRONMENT</c>: <c>Development</c>
/// under <c>func start</c> and the local dev host (which check no function keys), <c>Production</c> in Azure
/// (https://learn.microsoft.com/azure/azure-functions/functions-app-settings#azure_functions_environment).
/// </summary>
public sealed record FunctionsEnvironment(bool IsDevelopment)
{
    public const string SettingName = "AZURE_FUNCTIONS_ENVIRONMENT";

    public static FunctionsEnvironment FromConfiguration(IConfiguration configuration) =>
        new(string.Equals(configuration[SettingName], "Development", StringComparison.OrdinalIgnoreCase));
}
