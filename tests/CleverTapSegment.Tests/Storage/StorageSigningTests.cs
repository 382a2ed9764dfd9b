using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using CleverTapSegment.Storage;

namespace CleverTapSegment.Tests.Storage;

/// <summary>
/// Known vectors for the Shared Key (queue) and Shared Key Lite (table) rules of
/// https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key, written out by hand from the
/// documented algorithm with a fixed date and the emulator's key. The requests go through the real pipeline into
/// a handler that records them, so the headers Azure.Core adds are covered too.
/// </summary>
public sealed class StorageSigningTests
{
    private const string Date = "Sun, 22 Nov 2026 04:00:00 GMT";
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 4, 0, 0, TimeSpan.Zero);
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly StorageAccount Emulator = StorageAccount.FromConnectionString(
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + Key +
        ";QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1");

    // The signature computed independently of the code under test.
    private static string Hmac(string stringToSign) =>
        Convert.ToBase64String(new HMACSHA256(Convert.FromBase64String(Key)).ComputeHash(Encoding.UTF8.GetBytes(stringToSign)));

    [Fact]
    public async Task Queue_create_is_signed_with_full_shared_key_and_the_account_twice_for_path_style_urls()
    {
        const string expected =
            "PUT\n" +
            "\n" +      // Content-Encoding
            "\n" +      // Content-Language
            "\n" +      // Content-Length: 0 is signed as empty
            "\n" +      // Content-MD5
            "\n" +      // Content-Type
            "\n" +      // Date: empty because x-ms-date is sent
            "\n\n\n\n" + // If-Modified-Since, If-Match, If-None-Match, If-Unmodified-Since
            "\n" +      // Range
            "x-ms-client-request-id:req-1\n" +
            "x-ms-date:Sun, 22 Nov 2026 04:00:00 GMT\n" +
            "x-ms-return-client-request-id:true\n" +
            "x-ms-version:2021-12-02\n" +
            "/devstoreaccount1/devstoreaccount1/work-items";
        var recorder = new RecordingStorageHandler(HttpStatusCode.Created);
        var queue = new QueueServiceClient(Emulator, recorder.Options(), new FixedTime(Now)).GetQueueClient("work-items");

        using (HttpPipeline.CreateClientRequestIdScope("req-1"))
            await queue.CreateIfNotExistsAsync();

        var request = Assert.Single(recorder.Requests);
        Assert.Equal(Date, request.Headers["x-ms-date"]);
        Assert.Equal($"SharedKey devstoreaccount1:{Hmac(expected)}", request.Headers["Authorization"]);
        Assert.Equal("SharedKey devstoreaccount1:2QXUG8o5gtjS7lpLPuwO4B9tnmt6IIViLjVVI/lY4hc=", request.Headers["Authorization"]);
    }

    [Fact]
    public async Task Queue_put_signs_length_type_and_query_parameters_sorted_and_decoded()
    {
        const string body = "<QueueMessage><MessageText>aGk=</MessageText></QueueMessage>";
        var expected =
            "POST\n" +
            "\n\n" +
            $"{Encoding.UTF8.GetByteCount(body)}\n" +
            "\n" +
            "application/xml; charset=utf-8\n" +
            "\n\n\n\n\n\n" +
            "x-ms-client-request-id:req-2\n" +
            "x-ms-date:Sun, 22 Nov 2026 04:00:00 GMT\n" +
            "x-ms-return-client-request-id:true\n" +
            "x-ms-version:2021-12-02\n" +
            "/devstoreaccount1/devstoreaccount1/work-items/messages\n" +
            "messagettl:3600\n" +
            "visibilitytimeout:10";
        var recorder = new RecordingStorageHandler(HttpStatusCode.Created,
            "<QueueMessagesList><QueueMessage><MessageId>m1</MessageId><InsertionTime>Sun, 22 Nov 2026 04:00:00 GMT</InsertionTime>" +
            "<ExpirationTime>Sun, 22 Nov 2026 05:00:00 GMT</ExpirationTime><PopReceipt>p1</PopReceipt>" +
            "<TimeNextVisible>Sun, 22 Nov 2026 04:00:10 GMT</TimeNextVisible></QueueMessage></QueueMessagesList>");
        var queue = new QueueServiceClient(Emulator, recorder.Options(), new FixedTime(Now)).GetQueueClient("work-items");

        using (HttpPipeline.CreateClientRequestIdScope("req-2"))
            await queue.SendMessageAsync("hi", TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));

        var request = Assert.Single(recorder.Requests);
        Assert.Equal(body, request.Body);
        Assert.Equal($"SharedKey devstoreaccount1:{Hmac(expected)}", request.Headers["Authorization"]);
    }

    [Fact]
    public void Shared_key_string_to_sign_lowercases_and_sorts_headers_and_decodes_and_joins_query_values()
    {
        const string expected =
            "DELETE\n\n\n\n\n\n\n\n\n\n\n\n" +
            "x-ms-a:first\n" +
            "x-ms-date:Sun, 22 Nov 2026 04:00:00 GMT\n" +
            "x-ms-version:2021-12-02\n" +
            "/acct/q/messages/id%201\n" +
            "comp:a,b\n" +
            "popreceipt:AgAA+qv/7j=";
        var headers = new Dictionary<string, string>
        {
            ["X-MS-Version"] = "2021-12-02",
            ["x-ms-date"] = Date,
            ["X-Ms-A"] = " first ",
            ["User-Agent"] = "not signed",
        };

        var actual = StorageSigning.SharedKeyStringToSign("DELETE", new Uri("https://acct.queue.core.windows.net/q/messages/id%201?PopReceipt=AgAA%2Bqv%2F7j%3D&comp=b&comp=a"), headers, 0, "acct");

        Assert.Equal(expected, actual);
        Assert.Equal("m9o5fNFRwcwZRrUHNeZOyPn5vbswmaA5OhGWuxTinj0=", StorageSigning.Sign(actual, Key));
    }

    [Fact]
    public async Task Table_create_is_signed_with_shared_key_lite_date_and_resource_only()
    {
        const string expected = "Sun, 22 Nov 2026 04:00:00 GMT\n/devstoreaccount1/devstoreaccount1/Tables";
        var recorder = new RecordingStorageHandler(HttpStatusCode.NoContent);
        var table = new TableServiceClient(Emulator, recorder.Options(), new FixedTime(Now)).GetTableClient("Runs");

        await table.CreateIfNotExistsAsync();

        var request = Assert.Single(recorder.Requests);
        Assert.Equal("2019-02-02", request.Headers["x-ms-version"]);
        Assert.Equal($"SharedKeyLite devstoreaccount1:{Hmac(expected)}", request.Headers["Authorization"]);
        Assert.Equal("SharedKeyLite devstoreaccount1:MLxI3xyY/Yj6/7Ooxd1mkb2dQ8tBu6rceuAWdDzB1r8=", request.Headers["Authorization"]);
    }

    [Fact]
    public async Task Table_entity_address_is_signed_percent_encoded_with_quotes_doubled_and_without_query()
    {
        const string expected = "Sun, 22 Nov 2026 04:00:00 GMT\n/devstoreaccount1/devstoreaccount1/Runs(PartitionKey='it%27%27s',RowKey='%C3%A9%20x')";
        var recorder = new RecordingStorageHandler(HttpStatusCode.NotFound);
        var table = new TableServiceClient(Emulator, recorder.Options(), new FixedTime(Now)).GetTableClient("Runs");

        await table.GetEntityIfExistsAsync("it's", "é x", select: ["A"]);

        var request = Assert.Single(recorder.Requests);
        Assert.Equal("/devstoreaccount1/Runs(PartitionKey='it%27%27s',RowKey='%C3%A9%20x')", request.Uri.AbsolutePath);
        Assert.Equal($"SharedKeyLite devstoreaccount1:{Hmac(expected)}", request.Headers["Authorization"]);
    }

    [Fact]
    public void Shared_key_lite_keeps_only_the_comp_parameter()
    {
        var actual = StorageSigning.SharedKeyLiteTableStringToSign(Date, new Uri("https://acct.table.core.windows.net/?restype=service&comp=properties"), "acct");

        Assert.Equal("Sun, 22 Nov 2026 04:00:00 GMT\n/acct/?comp=properties", actual);
    }

    [Fact]
    public async Task Identity_based_accounts_send_a_bearer_token_for_the_storage_scope()
    {
        var credential = new RecordingCredential();
        var account = new StorageAccount
        {
            AccountName = "acct",
            TableEndpoint = new Uri("https://acct.table.core.windows.net"),
            QueueEndpoint = new Uri("https://acct.queue.core.windows.net"),
            TokenCredential = credential,
        };
        var recorder = new RecordingStorageHandler(HttpStatusCode.Created);

        await new QueueServiceClient(account, recorder.Options(), new FixedTime(Now)).GetQueueClient("q1x").CreateIfNotExistsAsync();

        var request = Assert.Single(recorder.Requests);
        Assert.Equal("Bearer token-1", request.Headers["Authorization"]);
        Assert.Equal(["https://storage.azure.com/.default"], credential.Scopes);
        Assert.Equal("https://acct.queue.core.windows.net/q1x", request.Uri.AbsoluteUri);
    }

    private sealed class RecordingCredential : TokenCredential
    {
        public string[] Scopes { get; private set; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes = requestContext.Scopes;
            return new AccessToken("token-1", DateTimeOffset.MaxValue);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
