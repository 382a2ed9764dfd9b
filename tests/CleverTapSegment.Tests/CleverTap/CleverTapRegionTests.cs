using CleverTapSegment.CleverTap;

namespace CleverTapSegment.Tests.CleverTap;

public sealed class CleverTapRegionTests
{
    [Theory]
    [InlineData("eu1", "https://api.clevertap.com/")]
    [InlineData("EU1", "https://api.clevertap.com/")]
    [InlineData("in1", "https://in1.api.clevertap.com/")]
    [InlineData("us1", "https://us1.api.clevertap.com/")]
    [InlineData("sg1", "https://sg1.api.clevertap.com/")]
    [InlineData("aps3", "https://aps3.api.clevertap.com/")]
    [InlineData("mec1", "https://mec1.api.clevertap.com/")]
    [InlineData("sk1", "https://sk1.api.clevertap.com/")]
    public void Known_region_resolves_to_its_documented_host(string code, string expectedBase)
    {
        Assert.True(CleverTapRegion.TryParse(code, out var region));
        Assert.Equal(new Uri(expectedBase), region.ApiBaseUri);
    }

    [Theory]
    [InlineData("eu2")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_region_is_refused(string? code) => Assert.False(CleverTapRegion.TryParse(code, out _));
}
