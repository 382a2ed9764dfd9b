using CleverTapSegment.Exports.Runs;

namespace CleverTapSegment.Tests.Exports.Runs;

public sealed class RunKeysTests
{
    private static readonly DateTimeOffset WindowStart = new(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Same_export_and_window_start_give_the_same_run_id()
    {
        var first = RunKeys.RunId("2516911712395998071-k2m7q4xa", WindowStart);
        // The same instant written in another offset is the same window.
        var second = RunKeys.RunId("2516911712395998071-k2m7q4xa", WindowStart.ToOffset(TimeSpan.FromHours(5.5)));

        Assert.Equal(first, second);
        Assert.Equal("2516911712395998071-k2m7q4xa-20261121T060000Z", first);
    }

    [Fact]
    public void Another_window_or_export_gives_another_run_id()
    {
        var id = RunKeys.RunId("2516911712395998071-k2m7q4xa", WindowStart);

        Assert.NotEqual(id, RunKeys.RunId("2516911712395998071-k2m7q4xa", WindowStart.AddHours(6)));
        Assert.NotEqual(id, RunKeys.RunId("2516911712395998071-zzzzzzzz", WindowStart));
    }

    [Fact]
    public void Run_row_keys_sort_by_window_start()
    {
        var keys = new[] { WindowStart.AddDays(1), WindowStart, WindowStart.AddHours(-6) }.Select(RunKeys.RunRowKey).ToList();

        Assert.Equal(keys.OrderBy(key => key, StringComparer.Ordinal), keys.AsEnumerable().Reverse());
    }

    [Theory]
    [InlineData("App Launched", "20261101-App-Launched-")]
    [InlineData("a/b\\c#d?e\tf", "20261101-a-b-c-d-e-f-")]
    [InlineData("Produkt gekauft 🛒", "20261101-Produkt-gekauft-🛒-")]
    public void Item_key_keeps_event_names_readable_without_characters_keys_forbid(string eventName, string expectedPrefix)
    {
        var key = RunKeys.ItemKey(eventName, new DateOnly(2026, 11, 1));

        Assert.StartsWith(expectedPrefix, key, StringComparison.Ordinal);
        Assert.Equal(-1, key.IndexOfAny(['/', '\\', '#', '?', '\t', '\0']));
    }

    [Fact]
    public void Names_that_differ_only_in_replaced_characters_get_different_item_keys()
    {
        var day = new DateOnly(2026, 11, 1);

        Assert.NotEqual(RunKeys.ItemKey("App Launched", day), RunKeys.ItemKey("App-Launched", day));
        Assert.Equal(RunKeys.ItemKey("App Launched", day), RunKeys.ItemKey("App Launched", day));
    }

    [Fact]
    public void Long_event_name_is_cut_without_splitting_an_emoji()
    {
        var key = RunKeys.ItemKey(new string('a', 63) + "🛒 and more", new DateOnly(2026, 11, 1));

        Assert.StartsWith($"20261101-{new string('a', 63)}-", key, StringComparison.Ordinal);
        Assert.DoesNotContain(key, char.IsSurrogate);
    }
}
