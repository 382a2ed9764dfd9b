using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace CleverTapSegment.Tests.Infra;

/// <summary>
/// The real Bicep CLI, restored by the test project's <c>PackageDownload</c> of Azure.Bicep.CommandLine.&lt;rid&gt;
/// (the csproj writes the package's tools folder into this assembly's metadata). It runs offline: resource types,
/// API versions and linter rules are built into the binary.
/// https://learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-cli
/// </summary>
internal static partial class BicepCli
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(3);
    private static readonly Lazy<string> s_executable = new(FindExecutable);

    public static string Executable => s_executable.Value;

    /// <summary>Runs <c>bicep &lt;arguments&gt;</c> in the repository root.</summary>
    /// <param name="environment">Variables to set (a null value removes one) on top of this process's environment.</param>
    public static async Task<BicepRun> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                start.Environment.Remove(name);
            else
                start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(s_timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', start.ArgumentList)} did not finish within {s_timeout}.");
        }
        return new BicepRun(string.Join(' ', start.ArgumentList), process.ExitCode, await output, await error);
    }

    private static string FindExecutable()
    {
        var directory = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "BicepCliDirectory")?.Value
            ?? throw new InvalidOperationException("The test assembly has no BicepCliDirectory metadata (see CleverTapSegment.Tests.csproj).");
        var path = Path.Combine(directory, OperatingSystem.IsWindows() ? "bicep.exe" : "bicep");
        if (!File.Exists(path))
            throw new FileNotFoundException($"No Bicep CLI at {path}: restore the test project (dotnet restore) so its PackageDownload fetches it.", path);
        // NuGet does not promise to keep the executable bit when it extracts a package.
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & UnixFileMode.UserExecute) == 0)
                File.SetUnixFileMode(path, mode | execute);
        }
        return path;
    }

    [GeneratedRegex(@"^(?<file>.+)\((?<line>\d+),(?<column>\d+)\) : (?<level>Error|Warning|Info) (?<code>[^:]+): (?<message>.*)$", RegexOptions.Multiline)]
    internal static partial Regex DiagnosticLine();
}

/// <summary>One run of the CLI: exit code, output and the diagnostics it reported.</summary>
internal sealed record BicepRun(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    public IReadOnlyList<BicepDiagnostic> Diagnostics =>
        BicepCli.DiagnosticLine().Matches(StandardError + "\n" + StandardOutput)
            .Select(m => new BicepDiagnostic(
                Path.GetRelativePath(RepositoryPaths.Root, m.Groups["file"].Value).Replace('\\', '/'),
                int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                m.Groups["level"].Value, m.Groups["code"].Value.Trim(), m.Groups["message"].Value.Trim()))
            .ToList();

    /// <summary>Everything the CLI printed that a failing assertion should show.</summary>
    public string Report => $"bicep {Command} exited {ExitCode}{Environment.NewLine}{StandardError}";
}

internal sealed record BicepDiagnostic(string File, int Line, string Level, string Code, string Message)
{
    public override string ToString() => $"{File}({Line}) {Level} {Code}: {Message}";
}
