using System.Net;
using System.Text;
using CleverTapSegment.Storage;

namespace CleverTapSegment.Tests.Storage;

/// <summary>
/// Continuation at the wire level, including the empty-page-with-a-token case Azurite cannot be made to produce.
/// https://learn.microsoft.com/rest/api/storageservices/query-timeout-and-pagination
/// </summary>
public sealed class TableQueryPagingTests
{
    private static readonly StorageAccount Account = StorageAccount.FromConnectionString("UseDevelopmentStorage=true");

    private static Func<HttpResponseMessage> Page(string rowKeysCsv, string? nextPartitionKey, string? nextRowKey) => () =>
    {
        var items = rowKeysCsv.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(rk => $"{{\"odata.etag\":\"W/\\\"datetime'2026-11-22T04%3A00%3A00.0000000Z'\\\"\",\"PartitionKey\":\"p\",\"RowKey\":\"{rk}\",\"Timestamp\":\"2026-11-22T04:00:00.0000000Z\"}}");
        var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent($"{{\"odata.metadata\":\"x\",\"value\":[{string.Join(',', items)}]}}", Encoding.UTF8, "application/json"),
        };
        if (nextPartitionKey is not null)
            response.Headers.Add("x-ms-continuation-NextPartitionKey", nextPartitionKey);
        if (nextRowKey is not null)
            response.Headers.Add("x-ms-continuation-NextRowKey", nextRowKey);
        return response;
    };

    [Fact]
    public async Task Query_follows_tokens_through_an_empty_page_repeating_filter_select_and_top()
    {
        var handler = new RecordingStorageHandler(
            Page("a", "1!8!cA--", "1!8!cg--"),
            Page("", "1!12!cTI-", null),
            Page("b", null, null));
        var table = new TableServiceClient(Account, handler.Options()).GetTableClient("Runs");

        var entities = await table.QueryAsync("Status eq 'x y'", ["Status"], maxPerPage: 5).ToListAsync();

        Assert.Equal(["a", "b"], entities.Select(e => e.RowKey));
        Assert.Equal("W/\"datetime'2026-11-22T04%3A00%3A00.0000000Z'\"", entities[0].ETag.ToString());
        Assert.Equal(3, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.StartsWith(
            "?$filter=Status%20eq%20%27x%20y%27&$select=PartitionKey%2CRowKey%2CTimestamp%2CStatus&$top=5", r.Uri.Query, StringComparison.Ordinal));
        Assert.EndsWith("&$top=5", handler.Requests[0].Uri.Query, StringComparison.Ordinal);
        Assert.EndsWith("&NextPartitionKey=1%218%21cA--&NextRowKey=1%218%21cg--", handler.Requests[1].Uri.Query, StringComparison.Ordinal);
        Assert.EndsWith("&NextPartitionKey=1%2112%21cTI-", handler.Requests[2].Uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_page_returns_the_token_to_resume_from()
    {
        var handler = new RecordingStorageHandler(Page("", "np", "nr"), Page("c", null, null));
        var table = new TableServiceClient(Account, handler.Options()).GetTableClient("Runs");

        var first = await table.QueryPageAsync(null, null, null, null);
        var second = await table.QueryPageAsync(null, null, null, first.ContinuationToken);

        Assert.Empty(first.Items);
        Assert.NotNull(first.ContinuationToken);
        Assert.Equal("c", Assert.Single(second.Items).RowKey);
        Assert.Null(second.ContinuationToken);
        Assert.Equal("?NextPartitionKey=np&NextRowKey=nr", handler.Requests[1].Uri.Query);
    }
}
