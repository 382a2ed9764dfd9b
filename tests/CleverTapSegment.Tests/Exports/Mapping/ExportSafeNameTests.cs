using CleverTapSegment.Exports.Mapping;

namespace CleverTapSegment.Tests.Exports.Mapping;

public sealed class ExportSafeNameTests
{
    [Theory]
    [InlineData("App Launched", "App-Launched")]
    [InlineData("a\tb/c\0d", "a-b-c-d")]
    [InlineData("x\\y#z?w\u0007", "x-y-z-w-")]
    [InlineData("Café 🍕", "Café-🍕")]
    [InlineData("plain_name-1", "plain_name-1")]
    public void Generated_names_replace_whitespace_slashes_nul_and_key_unsafe_characters(string name, string expected)
    {
        Assert.Equal(expected, ExportRecordMapper.SafeName(name));
    }
}
