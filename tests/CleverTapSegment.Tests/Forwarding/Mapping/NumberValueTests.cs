using System.Text;
using System.Text.Json;
using CleverTapSegment.Forwarding.Mapping;

namespace CleverTapSegment.Tests.Forwarding.Mapping;

/// <summary>
/// The exact number text sent to CleverTap. The golden cases compare numbers by value (<c>-0.0</c> equals <c>0</c>
/// there), so the literal each rule writes is pinned here.
/// </summary>
public sealed class NumberValueTests
{
    [Theory]
    [InlineData("-0", "0")]
    [InlineData("-0.0", "0")]
    [InlineData("-0e5", "0")]
    [InlineData("0.0", "0.0")]
    [InlineData("19.99", "19.99")]
    [InlineData("1.50000000000000000000", "1.50000000000000000000")]
    [InlineData("6.02214076e23", "6.02214076e23")]
    [InlineData("9007199254740993", "9007199254740993")]
    [InlineData("-9223372036854775808", "-9223372036854775808")]
    [InlineData("9223372036854775808", "\"9223372036854775808\"")]
    [InlineData("123456789012345678901234567890", "\"123456789012345678901234567890\"")]
    [InlineData("3.14159265358979323846264338", "3.141592653589793")]
    [InlineData("1e-400", "0")]
    [InlineData("1e-99999999999999999999", "0")]
    [InlineData("123456789012345678901234567890.5", "1.2345678901234568E+29")]
    public void A_number_property_is_sent_as(string literal, string sent)
    {
        Assert.Equal($$"""{"n":{{sent}}}""", EventData(literal));
    }

    [Theory]
    [InlineData("1e309")]
    [InlineData("-1e309")]
    [InlineData("1e99999999999999999999")]
    public void A_number_beyond_a_double_is_not_sent(string literal)
    {
        Assert.Equal("{}", EventData(literal));
    }

    [Fact]
    public void A_30_digit_Amount_stays_a_number_rounded_to_a_double()
    {
        using var document = JsonDocument.Parse("""
            {"type":"track","userId":"u-1","event":"Order Completed","properties":{"revenue":123456789012345678901234567890}}
            """);

        var mapped = SegmentEventMapper.Map(document.RootElement, new MappingSettings());

        Assert.True(mapped.Records[0].Data!.TryGetValue("Amount", out var amount));
        Assert.Equal("1.2345678901234568E+29", amount.Text);
        Assert.Contains("value of 'revenue' has more precision than a number keeps: sent as 1.2345678901234568E+29", mapped.Warnings);
    }

    private static string EventData(string literal)
    {
        using var document = JsonDocument.Parse($$$"""{"type":"track","userId":"u-1","event":"E","properties":{"n":{{{literal}}}}}""");
        var mapped = SegmentEventMapper.Map(document.RootElement, new MappingSettings());
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            mapped.Records[0].Data!.WriteTo(writer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
