using System.Text.Json;
using CleverTapSegment.Forwarding.Mapping;

namespace CleverTapSegment.Tests.Forwarding.Mapping;

public sealed class ValueRuleTests
{
    [Theory]
    [InlineData("+14155552671", "+14155552671")]
    [InlineData("+1 (415) 555-2671", "+14155552671")]
    [InlineData(" +44 20.7946.0000 ", "+442079460000")]
    [InlineData("+919876543210", "+919876543210")]
    public void Phone_in_E164_is_normalised(string phone, string expected)
    {
        Assert.True(ValueRules.TryNormalizePhone(phone, out var e164));
        Assert.Equal(expected, e164);
    }

    [Theory]
    [InlineData("4155552671")]
    [InlineData("+0155552671")]
    [InlineData("+1415555267112345")]
    [InlineData("+12345")]
    [InlineData("+1 415 CALL NOW")]
    [InlineData("++14155552671")]
    [InlineData("")]
    [InlineData(null)]
    public void Phone_not_in_E164_is_refused(string? phone) => Assert.False(ValueRules.TryNormalizePhone(phone, out _));

    [Theory]
    [InlineData("m", "M")]
    [InlineData("Male", "M")]
    [InlineData(" MALE ", "M")]
    [InlineData("man", "M")]
    [InlineData("F", "F")]
    [InlineData("female", "F")]
    [InlineData("FEMALE", "F")]
    [InlineData("Woman", "F")]
    [InlineData("non-binary", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Gender_maps_to_M_or_F_case_insensitively(string? gender, string? expected) =>
        Assert.Equal(expected, ValueRules.NormalizeGender(gender));

    [Theory]
    [InlineData("\"1990-05-01\"", "$D_641520000")]
    [InlineData("\"1990-05-01T00:00:00Z\"", "$D_641520000")]
    [InlineData("\"1990-05-01T02:00:00+02:00\"", "$D_641520000")]
    [InlineData("\"1990-5-1\"", "$D_641520000")]
    [InlineData("\"1960-01-01\"", "$D_-315619200")]
    public void Dates_become_dollar_D_epoch_seconds(string json, string expected)
    {
        Assert.True(ValueRules.TryFormatCleverTapDate(JsonDocument.Parse(json).RootElement, out var date));
        Assert.Equal(expected, date);
    }

    [Fact]
    public void A_value_already_in_dollar_D_form_passes_through()
    {
        Assert.True(ValueRules.TryFormatCleverTapDate(JsonDocument.Parse("\"$D_641520000\"").RootElement, out var date));
        Assert.Equal("$D_641520000", date);
    }

    [Theory]
    [InlineData("\"03/04/2020\"")]
    [InlineData("\"April 3rd\"")]
    [InlineData("\"$D_soon\"")]
    [InlineData("\"last spring\"")]
    [InlineData("\"\"")]
    [InlineData("641520000")]
    [InlineData("true")]
    public void Non_dates_are_not_dollar_D_dates(string json) =>
        Assert.False(ValueRules.TryFormatCleverTapDate(JsonDocument.Parse(json).RootElement, out _));

    [Theory]
    [InlineData("\"2015-2-02T00:30:08.276Z\"", 1422837008)]
    [InlineData("\"2021-03-10T11:59:22.080Z\"", 1615377562)]
    [InlineData("\"2021-03-10T12:59:22+01:00\"", 1615377562)]
    [InlineData("1615377562", 1615377562)]
    [InlineData("1615377562080", 1615377562)]
    public void Timestamps_become_epoch_seconds(string json, long expected)
    {
        Assert.True(ValueRules.TryEpochSeconds(JsonDocument.Parse(json).RootElement, out var seconds));
        Assert.Equal(expected, seconds);
    }

    [Theory]
    [InlineData("507f191e810c19729de860ea", true)]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301", true)]
    [InlineData("a(b)c!d:e@f$g_h-i", true)]
    [InlineData("has space", false)]
    [InlineData("slash/id", false)]
    [InlineData("dot.id", false)]
    [InlineData("", false)]
    public void CleverTap_id_follows_the_custom_id_rule(string id, bool valid) =>
        Assert.Equal(valid, ValueRules.IsValidCleverTapId(id));

    [Fact]
    public void CleverTap_id_longer_than_64_characters_is_invalid()
    {
        Assert.True(ValueRules.IsValidCleverTapId(new string('a', 64)));
        Assert.False(ValueRules.IsValidCleverTapId(new string('a', 65)));
    }

    [Fact]
    public void Values_are_cut_to_512_bytes_on_a_character_boundary()
    {
        var emoji = string.Concat(Enumerable.Repeat("😀", 200));
        Assert.True(ValueRules.TryCutValue(emoji, out var cut));
        Assert.Equal(512, System.Text.Encoding.UTF8.GetByteCount(cut));
        Assert.False(char.IsHighSurrogate(cut[^1]));
        Assert.False(ValueRules.TryCutValue(new string('a', 512), out _));
    }
}
