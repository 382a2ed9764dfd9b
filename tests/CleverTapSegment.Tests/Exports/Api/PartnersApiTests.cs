using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace CleverTapSegment.Tests.Exports.Api;

[Collection("Azurite")]
public sealed class PartnersApiTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private ApiTestHost _host = null!;

    private HttpClient Client => _host.Client;

    public async Task InitializeAsync() => _host = await ApiTestHost.StartAsync(azurite);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_created_partner_shows_the_last_four_characters_of_its_key_and_never_the_key()
    {
        var nickname = $"Prod-{Guid.NewGuid():N}"[..16];
        var response = await Client.PostAsJsonAsync("api/partners", new { nickname, writeKey = "wk_super_secret_ABCD", region = "EU" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal($"/api/partners/{nickname}", response.Headers.Location?.OriginalString);
        var created = await response.Content.ReadAsStringAsync();
        var read = await Client.GetStringAsync($"api/partners/{nickname.ToUpperInvariant()}");
        var list = await Client.GetStringAsync("api/partners");
        foreach (var text in new[] { created, read, list })
            Assert.DoesNotContain("wk_super_secret", text, StringComparison.Ordinal);

        var partner = JsonNode.Parse(read)!;
        Assert.Equal(nickname, (string?)partner["nickname"]);
        Assert.Equal("ABCD", (string?)partner["writeKeyLast4"]);
        Assert.Equal("EU", (string?)partner["region"]);
        Assert.Equal("identity", (string?)partner["userIdSource"]);
        Assert.Equal("objectId", (string?)partner["anonymousIdSource"]);
        Assert.Contains(JsonNode.Parse(list)!["items"]!.AsArray(), item => (string?)item!["nickname"] == nickname);
    }

    [Fact]
    public async Task A_duplicate_nickname_is_a_conflict()
    {
        var nickname = await _host.CreatePartnerAsync();

        var response = await Client.PostAsJsonAsync("api/partners", new { nickname = nickname.ToUpperInvariant(), writeKey = "wk_other" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task An_invalid_partner_is_a_400_naming_each_bad_field()
    {
        var response = await Client.PostAsJsonAsync("api/partners", new { nickname = "has space", region = "APAC", userIdSource = "phone", anonymousIdSource = "deviceId" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!.AsObject();
        Assert.Equal(["anonymousIdSource", "nickname", "region", "userIdSource", "writeKey"], errors.Select(pair => pair.Key).Order());
    }

    [Theory]
    [InlineData("""{"nickname":"typed-1","writeKey":12345678}""", "writeKey")]
    [InlineData("""{"nickname":true,"writeKey":"wk_typed"}""", "nickname")]
    [InlineData("""{"nickname":"typed-2","writeKey":"wk_typed","region":1}""", "region")]
    [InlineData("""{"nickname":"typed-3","writeKey":"wk_typed","userIdSource":false}""", "userIdSource")]
    public async Task A_partner_field_of_the_wrong_json_type_is_a_400_naming_it(string json, string field)
    {
        using var response = await Client.PostAsync("api/partners", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonNode>())!["errors"]!.AsObject();
        Assert.Equal(field, Assert.Single(errors).Key);
    }

    [Fact]
    public async Task A_patch_changes_the_key_and_region_but_not_the_nickname()
    {
        var nickname = await _host.CreatePartnerAsync();

        var patched = await Client.PatchAsJsonAsync($"api/partners/{nickname}", new { writeKey = "wk_rotated_WXYZ", region = "EU", userIdSource = "email" });
        var renamed = await Client.PatchAsJsonAsync($"api/partners/{nickname}", new { nickname = "another-name" });

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var partner = (await patched.Content.ReadFromJsonAsync<JsonNode>())!;
        Assert.Equal("WXYZ", (string?)partner["writeKeyLast4"]);
        Assert.Equal("EU", (string?)partner["region"]);
        Assert.Equal("email", (string?)partner["userIdSource"]);
        Assert.Equal("wk_rotated_WXYZ", (await _host.Store.GetPartnerAsync(nickname))!.WriteKey);
        Assert.Equal(HttpStatusCode.BadRequest, renamed.StatusCode);
    }

    [Fact]
    public async Task An_unknown_partner_is_404_for_read_patch_and_delete()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("api/partners/nobody-here")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.PatchAsJsonAsync("api/partners/nobody-here", new { region = "EU" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.DeleteAsync("api/partners/nobody-here")).StatusCode);
    }

    [Fact]
    public async Task A_partner_used_by_a_live_export_cannot_be_deleted_until_the_export_stops()
    {
        var nickname = await _host.CreatePartnerAsync();
        var export = await _host.CreateRecurringAsync(nickname);

        var refused = await Client.DeleteAsync($"api/partners/{nickname}");
        (await Client.PostAsync($"api/exports/{export["id"]}/stop", null)).EnsureSuccessStatusCode();
        var deleted = await Client.DeleteAsync($"api/partners/{nickname}");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"api/partners/{nickname}")).StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    [InlineData("test-admin-ke")]
    public async Task Without_the_management_key_the_api_answers_401(string? key)
    {
        using var client = new HttpClient { BaseAddress = _host.App.BaseAddress };
        if (key is not null)
            client.DefaultRequestHeaders.Add("x-functions-key", key);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("api/partners")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("api/exports", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("api/exports")).StatusCode);
    }

    [Fact]
    public async Task A_forged_client_principal_gets_401_where_no_platform_signs_people_in()
    {
        // Locally (and in Azure without App Service Authentication) anyone can send the headers the platform would set.
        using var client = new HttpClient { BaseAddress = _host.App.BaseAddress };
        client.DefaultRequestHeaders.Add("X-MS-CLIENT-PRINCIPAL-ID", "00000000-0000-0000-0000-0000000000aa");
        client.DefaultRequestHeaders.Add("X-MS-CLIENT-PRINCIPAL-NAME", "ada@example.com");
        client.DefaultRequestHeaders.Add("X-MS-CLIENT-PRINCIPAL-IDP", "aad");
        client.DefaultRequestHeaders.Add("X-MS-CLIENT-PRINCIPAL", Convert.ToBase64String("{\"auth_typ\":\"aad\",\"claims\":[]}"u8.ToArray()));
        client.DefaultRequestHeaders.Add("X-Requested-With", "dashboard");

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("api/partners")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("api/partners", new { nickname = "forged", writeKey = "wk_forged_1234" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("api/ingest/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("api/partners/forged")).StatusCode);
    }
}
