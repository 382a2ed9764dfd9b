using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using CleverTapSegment.Exports.Runs;
using CleverTapSegment.Exports.Storage;
using CleverTapSegment.Tests.Exports.Runs;

namespace CleverTapSegment.Tests.Exports;

/// <summary>
/// The Table service may end a query page early, even with nothing in it, and still hand out a continuation (it stops
/// scanning after 5 s or a partition boundary); Azurite never does. The stores must read on through such pages.
/// https://learn.microsoft.com/rest/api/storageservices/query-timeout-and-pagination
/// </summary>
public sealed class ShortTablePagesTests
{
    private static readonly DateTimeOffset s_createdAt = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_export_list_page_is_filled_across_short_and_empty_service_pages()
    {
        // Ids of newer exports sort first, as the service returns rows.
        var exports = Enumerable.Range(0, 12)
            .Select(i => TestExports.OneTime(new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 1), "Charged") with { Id = ExportIds.New(s_createdAt.AddMinutes(-i)) })
            .ToList();
        var entities = exports.Select(ExportEntities.ToEntity).ToList();
        var firstPages = new ScriptedTablePages(new Page(entities[..1], More: true), new Page([], More: true), new Page(entities[1..], More: false));
        var nextPages = new ScriptedTablePages(new Page(entities[10..], More: false));

        var first = await Store(firstPages).ListAsync(new ExportListQuery { PageSize = 10 });
        var next = await Store(nextPages).ListAsync(new ExportListQuery { PageSize = 10, Continuation = first.Continuation });

        Assert.Equal(exports[..10].Select(export => export.Id), first.Items.Select(export => export.Id));
        Assert.Equal(3, firstPages.Queries.Count);
        Assert.NotNull(first.Continuation);
        Assert.Contains($"RowKey gt '{exports[9].Id}'", Assert.Single(nextPages.Queries), StringComparison.Ordinal);
        Assert.Equal(exports[10..].Select(export => export.Id), next.Items.Select(export => export.Id));
        Assert.Null(next.Continuation);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task An_unfinished_item_is_found_behind_empty_service_pages(bool unfinishedItemFollows)
    {
        var item = new TableEntity("run", "item") { ["Status"] = WorkItemStatus.Running.ToWire() };
        var pages = new ScriptedTablePages(new Page([], More: true), new Page([], More: true), new Page(unfinishedItemFollows ? [item] : [], More: false));

        var unfinished = await new RunStore(Tables(pages)).HasUnfinishedItemsAsync("run");

        Assert.Equal(unfinishedItemFollows, unfinished);
        Assert.Equal(3, pages.Queries.Count);
    }

    private static ExportStore Store(ScriptedTablePages pages) => new(Tables(pages));

    private static TableServiceClient Tables(ScriptedTablePages pages)
    {
        var options = new TableClientOptions { Transport = new HttpClientTransport(new HttpClient(pages)) };
        options.Retry.MaxRetries = 0;
        return new TableServiceClient("UseDevelopmentStorage=true", options);
    }

    private sealed record Page(IReadOnlyList<TableEntity> Entities, bool More);

    /// <summary>Answers each query with the next scripted page (JSON with minimal metadata) and keeps its decoded query string.</summary>
    private sealed class ScriptedTablePages(params Page[] pages) : HttpMessageHandler
    {
        public List<string> Queries { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var index = Queries.Count;
            Queries.Add(Uri.UnescapeDataString(request.RequestUri!.Query));
            var page = pages[index];
            var body = JsonSerializer.Serialize(new Dictionary<string, object> { ["value"] = page.Entities.Select(ToJson).ToList() });
            var response = new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            if (page.More)
            {
                response.Headers.Add("x-ms-continuation-NextPartitionKey", $"1!8!p{index}");
                response.Headers.Add("x-ms-continuation-NextRowKey", $"1!8!r{index}");
            }
            return Task.FromResult(response);
        }

        // https://learn.microsoft.com/rest/api/storageservices/payload-format-for-table-service-operations
        private static Dictionary<string, object> ToJson(TableEntity entity)
        {
            var json = new Dictionary<string, object>();
            foreach (var (name, value) in entity)
            {
                switch (value)
                {
                    case null:
                    case string when name == "odata.etag":
                        break;
                    case long number:
                        json[name + "@odata.type"] = "Edm.Int64";
                        json[name] = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        break;
                    case DateTimeOffset time:
                        json[name + "@odata.type"] = "Edm.DateTime";
                        json[name] = time.UtcDateTime.ToString("o", System.Globalization.CultureInfo.InvariantCulture);
                        break;
                    default:
                        json[name] = value;
                        break;
                }
            }
            return json;
        }
    }
}
