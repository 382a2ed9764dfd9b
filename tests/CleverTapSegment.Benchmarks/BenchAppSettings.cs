using System.Collections;

namespace CleverTapSegment.Benchmarks;

/// <summary>
/// <c>BENCH_APP_&lt;name&gt;=&lt;value&gt;</c> in the bench's environment passes <c>&lt;name&gt;</c> to every app it starts, to
/// measure a setting for one run (a GC knob such as <c>DOTNET_GCConserveMemory</c>, a host.json override) without editing code.
/// </summary>
internal static class BenchAppSettings
{
    private const string Prefix = "BENCH_APP_";

    public static void AddTo(IDictionary<string, string?> settings)
    {
        foreach (var entry in Environment.GetEnvironmentVariables().Cast<DictionaryEntry>())
        {
            if (entry.Key is string key && key.StartsWith(Prefix, StringComparison.Ordinal))
                settings[key[Prefix.Length..]] = entry.Value as string;
        }
    }
}
