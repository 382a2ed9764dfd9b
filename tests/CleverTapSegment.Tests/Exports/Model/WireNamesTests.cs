using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Storage;

namespace CleverTapSegment.Tests.Exports.Model;

public sealed class WireNamesTests
{
    [Fact]
    public void Every_enum_value_round_trips_through_its_wire_name()
    {
        AssertRoundTrips(WireNames.Status);
        AssertRoundTrips(WireNames.Frequency);
        AssertRoundTrips(WireNames.DataType);
        AssertRoundTrips(WireNames.Selection);
        AssertRoundTrips(WireNames.Preset);
        AssertRoundTrips(WireNames.Region);
        AssertRoundTrips(WireNames.UserIdSource);
        AssertRoundTrips(WireNames.AnonymousIdSource);
    }

    [Theory]
    [InlineData("PENDING", ExportStatus.Pending)]
    [InlineData("stopped", ExportStatus.Stopped)]
    public void Statuses_are_upper_case_on_the_wire_and_read_in_any_case(string name, ExportStatus expected)
    {
        Assert.True(WireNames.Status.TryParse(name, out var status));
        Assert.Equal(expected, status);
        Assert.Equal(name.ToUpperInvariant(), WireNames.Status.ToWire(status));
    }

    [Fact]
    public void An_unknown_name_does_not_parse() => Assert.False(WireNames.Frequency.TryParse("weekly", out _));

    [Fact]
    public void A_table_missing_a_value_fails_when_built()
    {
        Assert.Throws<InvalidOperationException>(() => new WireNameTable<ExportFrequency>([(ExportFrequency.OneTime, "oneTime")]));
    }

    [Fact]
    public void Newer_export_ids_sort_first_and_are_url_safe()
    {
        var older = ExportIds.New(OneTimeWindowTests.Utc("2026-11-22T10:00:00"));
        var newer = ExportIds.New(OneTimeWindowTests.Utc("2026-11-22T10:00:01"));
        Assert.True(string.CompareOrdinal(newer, older) < 0);
        Assert.True(ExportIds.IsWellFormed(newer));
        Assert.Equal(newer, Uri.EscapeDataString(newer));
        Assert.NotEqual(ExportIds.New(OneTimeWindowTests.Utc("2026-11-22T10:00:00")), older);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../etc/passwd")]
    [InlineData("2516911712395998071-K2M7Q4XA")]
    [InlineData("251691171239599807-k2m7q4xa")]
    public void Malformed_ids_are_recognised(string id) => Assert.False(ExportIds.IsWellFormed(id));

    private static void AssertRoundTrips<TEnum>(WireNameTable<TEnum> table) where TEnum : struct, Enum
    {
        foreach (var value in Enum.GetValues<TEnum>())
        {
            Assert.True(table.TryParse(table.ToWire(value), out var parsed));
            Assert.Equal(value, parsed);
        }
    }
}
