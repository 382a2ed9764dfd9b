using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CleverTapSegment.Testing;

namespace CleverTapSegment.Tests.CleverTap;

/// <summary>The fake must hold clients to CleverTap's documented contract, or the other tests prove little.</summary>
public sealed class FakeCleverTapTests : IAsyncLifetime
{
    private FakeCleverTap _fake = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _fake = await FakeCleverTap.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _fake.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body)> UploadAsync(string body, bool authenticate = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_fake.BaseAddress, "1/upload"))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (authenticate)
        {
            request.Headers.Add("X-CleverTap-Account-Id", _fake.AccountId);
            request.Headers.Add("X-CleverTap-Passcode", _fake.Passcode);
        }
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Nested_event_data_and_missing_identity_come_back_per_record_in_a_partial()
    {
        var (status, body) = await UploadAsync("""
            {"d":[
              {"type":"event","identity":"u1","evtName":"A","evtData":{"x":1}},
              {"type":"event","identity":"u2","evtName":"B","evtData":{"address":{"city":"Paris"}}},
              {"type":"event","evtName":"C","evtData":{}},
              {"type":"event","identity":"u4","evtName":"Charged","evtData":{"Items":[{"sku":"a"}]}}
            ]}
            """);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("partial", body!["status"]!.GetValue<string>());
        Assert.Equal([512, 523], body["unprocessed"]!.AsArray().Select(entry => entry!["code"]!.GetValue<int>()));
        Assert.Contains("record number : 2", body["unprocessed"]![0]!["error"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["u1", "u4"], _fake.Accepted.Select(record => record["identity"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Missing_credentials_are_refused_with_401_and_noted()
    {
        var (status, _) = await UploadAsync("""{"d":[]}""", authenticate: false);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.NotEmpty(_fake.ContractViolations);
    }

    [Fact]
    public async Task More_than_1000_records_is_a_contract_violation()
    {
        var records = string.Join(",", Enumerable.Range(0, 1001).Select(i => $$"""{"type":"event","identity":"u{{i}}","evtName":"A"}"""));

        var (status, _) = await UploadAsync($$"""{"d":[{{records}}]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(_fake.ContractViolations, violation => violation.Contains("1001", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Requests_beyond_the_concurrency_limit_get_429()
    {
        _fake.MaxConcurrentRequests = 0;

        var (status, _) = await UploadAsync("""{"d":[{"type":"event","identity":"u1","evtName":"A"}]}""");

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal(1, _fake.Throttled);
        Assert.Empty(_fake.Accepted);
    }
}
