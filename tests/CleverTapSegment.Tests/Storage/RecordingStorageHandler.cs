using System.Net;
using Azure.Core.Pipeline;
using CleverTapSegment.Storage;

namespace CleverTapSegment.Tests.Storage;

internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, string Body);

/// <summary>
/// The end of a client's pipeline for wire-level tests: records each request exactly as it would be sent and
/// answers with scripted responses (the last one repeats). For behaviour against a real service, use Azurite.
/// </summary>
internal sealed class RecordingStorageHandler(params Func<HttpResponseMessage>[] responses) : HttpMessageHandler
{
    private int _next;

    public RecordingStorageHandler(HttpStatusCode status, string body = "")
        : this(() => new HttpResponseMessage(status) { Content = new StringContent(body) })
    {
    }

    public List<RecordedRequest> Requests { get; } = [];

    public StorageClientOptions Options()
    {
        var options = new StorageClientOptions { Transport = new HttpClientTransport(new HttpClient(this)) };
        options.Retry.MaxRetries = 0;
        return options;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add(new RecordedRequest(request.Method, request.RequestUri!, headers, body));
        return responses[Math.Min(_next++, responses.Length - 1)]();
    }
}
