using CleverTapSegment.Forwarding;
using CleverTapSegment.Forwarding.Mapping;

namespace CleverTapSegment.Tests.Forwarding;

public sealed class IngestOptionsTests
{
    private static IReadOnlyList<string> Failures(IngestOptions options) =>
        new IngestOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void Defaults_are_valid() => Assert.Empty(Failures(new IngestOptions()));

    [Theory]
    [InlineData("snake_case", KeyStyle.SnakeCase)]
    [InlineData("Preserve", KeyStyle.Preserve)]
    public void Key_style_setting_reaches_the_mapper(string setting, KeyStyle expected) =>
        Assert.Equal(expected, new IngestOptions { KeyStyle = setting }.MappingSettings.KeyStyle);

    [Theory]
    [InlineData("Ingest__KeyStyle", nameof(IngestOptions.KeyStyle), "camel")]
    [InlineData("Ingest__MaxBodyBytes", nameof(IngestOptions.MaxBodyBytes), "10")]
    [InlineData("Ingest__DeadlineSeconds", nameof(IngestOptions.DeadlineSeconds), "0")]
    [InlineData("Ingest__BasicAuthUsername", nameof(IngestOptions.BasicAuthPassword), "only-a-password")]
    public void Invalid_setting_fails_start_up_naming_the_env_var(string envVar, string property, string value)
    {
        var options = new IngestOptions();
        var target = typeof(IngestOptions).GetProperty(property)!;
        target.SetValue(options, target.PropertyType == typeof(string) ? value : Convert.ChangeType(value, target.PropertyType, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Contains(Failures(options), failure => failure.Contains(envVar, StringComparison.Ordinal));
    }

    [Fact]
    public void Empty_shared_secrets_from_the_sample_settings_turn_signature_checks_off() =>
        Assert.Empty(new IngestOptions { SharedSecrets = ["", ""] }.ActiveSharedSecrets);
}
