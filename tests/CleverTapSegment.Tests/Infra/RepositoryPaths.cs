namespace CleverTapSegment.Tests.Infra;

/// <summary>Files of the repository the tests read (infra, function.json files while they exist, the local settings sample).</summary>
internal static class RepositoryPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    public static string Root => s_root.Value;

    public static string InfraDirectory => Path.Combine(Root, "infra");

    public static string LocalSettingsSample => Path.Combine(Root, "local.settings.sample.json");

    public static string FunctionsDirectory => Path.Combine(Root, "functions");

    public static IReadOnlyList<string> FunctionJsonFiles() =>
        Directory.EnumerateFiles(FunctionsDirectory, "function.json", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(path))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static bool IsBuildOutput(string path)
    {
        var relative = Path.GetRelativePath(FunctionsDirectory, path).Replace('\\', '/');
        return relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal);
    }

    // The tests run from bin/<config>/<tfm>; the repository root is the first ancestor holding the solution.
    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CleverTapSegment.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException($"No CleverTapSegment.sln above {AppContext.BaseDirectory}.");
    }
}
