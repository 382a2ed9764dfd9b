using System.Text.Json;

namespace CleverTapSegment.Exports.Runs;

/// <summary>Record counters: exported to Segment, skipped (with the count per reason), failed to deliver.</summary>
public sealed record RunCounters(long Exported, long Skipped, long Failed, IReadOnlyDictionary<string, long> SkipReasons)
{
    /// <summary>Reasons are free text from the mapper; past this many distinct ones the rest are pooled so an entity stays small.</summary>
    internal const int MaxDistinctReasons = 20;
    internal const string OtherReasons = "other reasons";

    public static RunCounters Zero { get; } = new(0, 0, 0, new Dictionary<string, long>());

    public RunCounters Add(RunCounters other)
    {
        if (ReferenceEquals(other, Zero))
            return this;
        var reasons = new Dictionary<string, long>(SkipReasons, StringComparer.Ordinal);
        foreach (var (reason, count) in other.SkipReasons)
            AddReason(reasons, reason, count);
        return new RunCounters(Exported + other.Exported, Skipped + other.Skipped, Failed + other.Failed, reasons);
    }

    public static RunCounters Sum(IEnumerable<RunCounters> counters) =>
        counters.Aggregate(Zero, (total, next) => total.Add(next));

    internal static void AddReason(Dictionary<string, long> reasons, string reason, long count)
    {
        if (!reasons.ContainsKey(reason) && reasons.Count >= MaxDistinctReasons)
            reason = OtherReasons;
        reasons[reason] = reasons.GetValueOrDefault(reason) + count;
    }

    internal string SkipReasonsJson() => JsonSerializer.Serialize(SkipReasons);

    internal static IReadOnlyDictionary<string, long> ParseSkipReasons(string? json) =>
        string.IsNullOrEmpty(json)
            ? new Dictionary<string, long>()
            : JsonSerializer.Deserialize<Dictionary<string, long>>(json) ?? new Dictionary<string, long>();
}

/// <summary>Counts one page (or one invocation) before it is added to the item in a single checkpoint write.</summary>
internal sealed class RunCounterBuilder
{
    private readonly Dictionary<string, long> _skipReasons = new(StringComparer.Ordinal);

    public long Exported { get; set; }
    public long Failed { get; set; }
    public long Skipped { get; private set; }

    public void Skip(string reason, long count = 1)
    {
        Skipped += count;
        RunCounters.AddReason(_skipReasons, reason, count);
    }

    public RunCounters Build() => new(Exported, Skipped, Failed, new Dictionary<string, long>(_skipReasons));
}
