using CleverTapSegment.Storage;

namespace CleverTapSegment.Tests.Storage;

public sealed class TableFilterTests
{
    [Fact]
    public void Strings_are_quoted_with_single_quotes_doubled()
    {
        var partitionKey = "o'neil' or 'x' eq 'x";

        Assert.Equal("PartitionKey eq 'o''neil'' or ''x'' eq ''x'", TableFilter.Create($"PartitionKey eq {partitionKey}"));
    }

    [Fact]
    public void Typed_values_use_their_odata_literal_forms()
    {
        var when = new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.FromHours(2));
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

        var filter = TableFilter.Create($"N eq {5_000_000_000L} and I eq {7} and D eq {1.5} and B eq {false} and T ge {when} and G eq {id} and X eq {new byte[] { 0xAB, 0x01 }}");

        Assert.Equal(
            "N eq 5000000000L and I eq 7 and D eq 1.5 and B eq false and T ge datetime'2026-11-22T04:00:00.0000000Z' " +
            "and G eq guid'0f8fad5b-d9cb-469f-a165-70867728950e' and X eq X'ab01'", filter);
    }

    [Fact]
    public void Null_and_unsupported_values_are_rejected()
    {
        string? missing = null;

        Assert.Throws<ArgumentException>(() => TableFilter.Create($"A eq {missing}"));
        Assert.Throws<ArgumentException>(() => TableFilter.Create($"A eq {new object()}"));
    }

    [Fact]
    public void Entity_rejects_types_the_table_service_cannot_store_and_null_removes()
    {
        var entity = new TableEntity("pk", "rk") { ["A"] = "a", ["When"] = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) };

        entity["A"] = null;

        Assert.Throws<ArgumentException>(() => entity["Price"] = 1.5m);
        Assert.Throws<ArgumentException>(() => entity["PartitionKey"] = "other");
        Assert.Equal(["When"], entity.Keys);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), entity.GetDateTimeOffset("When"));
    }
}
