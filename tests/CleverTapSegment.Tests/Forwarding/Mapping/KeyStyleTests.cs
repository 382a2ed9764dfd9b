using CleverTapSegment.Forwarding.Mapping;

namespace CleverTapSegment.Tests.Forwarding.Mapping;

public sealed class KeyStyleTests
{
    /// <summary>The outputs of to-snake-case@1.0.0 (https://www.npmjs.com/package/to-snake-case, run on Node 20) and its own test suite.</summary>
    [Theory]
    [InlineData("Industry Of Traits", "industry_of_traits")]
    [InlineData("firstName", "first_name")]
    [InlineData("first_name", "first_name")]
    [InlineData("ThisIsAString", "this_is_a_string")]
    [InlineData("THIS_IS_A_STRING", "this_is_a_string")]
    [InlineData("This is a string.", "this_is_a_string")]
    [InlineData("this.is.a.string", "this_is_a_string")]
    [InlineData("this is a string", "this_is_a_string")]
    [InlineData("This Is A String", "this_is_a_string")]
    [InlineData("thisIsAString", "this_is_a_string")]
    [InlineData("-this__is$%a-string...", "this_is_a_string")]
    [InlineData("trailing.dot.", "trailing_dot")]
    [InlineData("a-b-c", "a_b_c")]
    [InlineData("$email", "email")]
    [InlineData("CT App Version", "ct_app_version")]
    [InlineData("Campaign Id", "campaign_id")]
    [InlineData("Total Billed", "total_billed")]
    [InlineData("DOB", "dob")]
    [InlineData("userID", "user_i_d")]
    [InlineData("HTMLParser", "h_t_m_l_parser")]
    [InlineData("version2", "version2")]
    [InlineData("order_completed_last_30days", "order_completed_last_30days")]
    [InlineData("orderCompletedLast30Days", "order_completed_last30_days")]
    [InlineData("Größe", "gr_e")]
    [InlineData("größe Wert", "gr_e_wert")]
    public void Snake_case_reproduces_to_snake_case(string key, string expected) =>
        Assert.Equal(expected, KeyStyles.ToSnakeCase(key));

    [Theory]
    [InlineData("industry_of_traits")]
    [InlineData("order_completed_last_30days")]
    [InlineData("a1_b2")]
    public void Snake_case_is_idempotent_on_snake_case_keys(string key)
    {
        Assert.Equal(key, KeyStyles.ToSnakeCase(key));
        Assert.Equal(key, KeyStyles.ToSnakeCase(KeyStyles.ToSnakeCase(key)));
    }

    [Theory]
    [InlineData("Industry Of Traits")]
    [InlineData("planType")]
    public void Preserve_leaves_keys_alone(string key) => Assert.Equal(key, KeyStyles.Apply(KeyStyle.Preserve, key));

    [Theory]
    [InlineData("snake_case", KeyStyle.SnakeCase)]
    [InlineData("SNAKE_CASE", KeyStyle.SnakeCase)]
    [InlineData("snakecase", KeyStyle.SnakeCase)]
    [InlineData(" preserve ", KeyStyle.Preserve)]
    public void Key_style_setting_is_read(string setting, KeyStyle expected)
    {
        Assert.True(KeyStyles.TryParse(setting, out var style));
        Assert.Equal(expected, style);
    }

    [Theory]
    [InlineData("camelCase")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_key_style_setting_is_refused(string? setting) => Assert.False(KeyStyles.TryParse(setting, out _));
}
