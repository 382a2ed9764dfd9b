using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CleverTapSegment.Forwarding;

namespace CleverTapSegment.Tests.Forwarding;

/// <summary>Vectors computed with Node 20 crypto (secret "abc123"), the signature Segment's Webhooks destination sends: https://segment.com/docs/connections/destinations/catalog/actions-webhook/</summary>
public sealed class IngestAuthenticationTests
{
    private static bool Verify(string body, string? signature, params string[] secrets)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var document = JsonDocument.Parse(bytes);
        return IngestAuthentication.IsValidSignature(signature, bytes, document.RootElement, secrets);
    }

    [Fact]
    public void Single_event_signature_over_the_raw_body_is_accepted() =>
        Assert.True(Verify("""{"cool":true}""", "5099cab379b3be52908387457007040cc934ef86", "abc123"));

    [Fact]
    public void Batch_signed_over_its_first_element_is_accepted() =>
        Assert.True(Verify("""[{"cool":false},{"cool":true}]""", "c702b94a2569dd8d2f7185ce0ae951021bef4706", "abc123"));

    [Fact]
    public void Batch_signed_over_the_whole_body_is_accepted() =>
        Assert.True(Verify("""[{"cool":false},{"cool":true}]""", "685cf04ec172d3adcac0b8f25c923bb4d56ed1eb", "abc123"));

    [Fact]
    public void Non_ascii_body_is_verified_over_its_exact_bytes() =>
        Assert.True(Verify("""{"name":"Zoë 😀","n":1.5}""", "99e3c5494bf2ef0540e4fd5911384e517f355781", "abc123"));

    [Fact]
    public void Upper_case_hex_is_accepted() =>
        Assert.True(Verify("""{"cool":true}""", "5099CAB379B3BE52908387457007040CC934EF86", "abc123"));

    [Fact]
    public void Any_configured_secret_matches_during_rotation() =>
        Assert.True(Verify("""{"cool":true}""", "5099cab379b3be52908387457007040cc934ef86", "new-secret", "abc123"));

    [Theory]
    [InlineData("5099cab379b3be52908387457007040cc934ef87")]
    [InlineData("not-hex")]
    [InlineData("")]
    [InlineData(null)]
    public void Wrong_or_missing_signature_is_refused(string? signature) =>
        Assert.False(Verify("""{"cool":true}""", signature, "abc123"));

    [Fact]
    public void Signature_made_with_another_secret_is_refused()
    {
        var signature = Convert.ToHexStringLower(HMACSHA1.HashData("other"u8, """{"cool":true}"""u8));
        Assert.False(Verify("""{"cool":true}""", signature, "abc123"));
    }

    [Fact]
    public void Tampered_body_is_refused() =>
        Assert.False(Verify("""{"cool":false}""", "5099cab379b3be52908387457007040cc934ef86", "abc123"));

    [Theory]
    [InlineData("Basic dXNlcjpwYXNz", true)] // user:pass
    [InlineData("basic dXNlcjpwYXNz", true)]
    [InlineData("Basic dXNlcjp3cm9uZw==", false)] // user:wrong
    [InlineData("Bearer dXNlcjpwYXNz", false)]
    [InlineData("Basic ???", false)]
    [InlineData(null, false)]
    public void Basic_auth_checks_both_parts(string? header, bool valid) =>
        Assert.Equal(valid, IngestAuthentication.IsValidBasicAuth(header, "user", "pass"));

    [Fact]
    public void Basic_auth_accepts_a_key_with_an_empty_password() =>
        Assert.True(IngestAuthentication.IsValidBasicAuth("Basic " + Convert.ToBase64String("api-key:"u8), "api-key", null));
}
