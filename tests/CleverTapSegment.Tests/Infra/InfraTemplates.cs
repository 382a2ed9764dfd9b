namespace CleverTapSegment.Tests.Infra;

/// <summary>The Bicep files under <c>infra/</c>, parsed once per test run.</summary>
internal static class InfraTemplates
{
    private static readonly Lazy<IReadOnlyList<BicepDocument>> s_all = new(() =>
        Directory.EnumerateFiles(RepositoryPaths.InfraDirectory, "*.bicep", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(BicepDocument.Load)
            .ToList());

    public static IReadOnlyList<BicepDocument> All => s_all.Value;

    public static BicepDocument Main => Module("main.bicep");

    public static BicepDocument Storage => Module("modules/storage.bicep");

    public static BicepDocument FunctionApp => Module("modules/functionapp.bicep");

    public static BicepDocument Rbac => Module("modules/rbac.bicep");

    public static BicepDocument KeyVault => Module("modules/keyvault.bicep");

    public static BicepDocument Monitoring => Module("modules/monitoring.bicep");

    public static BicepDocument Module(string relativePath)
    {
        var path = Path.GetFullPath(Path.Combine(RepositoryPaths.InfraDirectory, relativePath));
        return All.SingleOrDefault(d => d.Path == path) ?? throw new InvalidOperationException($"infra/{relativePath} is missing.");
    }

    /// <summary>
    /// Every app setting the templates can set: the properties of each <c>var …AppSettings</c> object in main.bicep
    /// (all plans) and in modules/functionapp.bicep (plan-specific). Interpolated names read as <c>*</c>.
    /// </summary>
    public static IReadOnlyList<InfraAppSetting> AppSettings() =>
        new[] { Main, FunctionApp }
            .SelectMany(document => document.OfKind("var")
                .Where(v => v.Name.EndsWith("AppSettings", StringComparison.Ordinal))
                .SelectMany(v => BicepObject.AllIn(v.Value).SelectMany(o => o.Properties)
                    .Select(p => new InfraAppSetting(p.Key, p.Value, v.Name, document.FileName))))
            .ToList();

    /// <summary>The items of an array literal var (<c>var queueNames = [ 'a' … ]</c>), unquoted.</summary>
    public static IReadOnlyList<string> StringArray(BicepDocument document, string varName)
    {
        var value = document.Get("var", varName).Value;
        Assert.StartsWith("[", value);
        return BicepScanner.SplitAtTopLevelLineBreaks(value.Trim()[1..^1])
            .Select(item => item.Trim().Trim('\''))
            .ToList();
    }
}

/// <summary>An app setting as the Bicep sets it: name, value expression, and the var it is declared in.</summary>
internal sealed record InfraAppSetting(string Name, string Value, string DeclaredIn, string File);
