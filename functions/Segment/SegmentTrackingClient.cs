using CleverTapSegment.OutgoingCalls;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace CleverTapSegment.Segment;

/// <summary>A batch Segment did not take. <see cref="IsTransient"/>: worth retrying later (429, 5xx, network).</summary>
public sealed class SegmentRequestException : Exception
{
    public SegmentRequestException(bool isTransient, string message, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        IsTransient = isTransient;
        StatusCode = statusCode;
    }

    public bool IsTransient { get; }

    public int? StatusCode { get; }
}

/// <summary>
/// Typed client of Segment's HTTP Tracking API <c>POST /v1/batch</c>. Retries (429 with <c>Retry-After</c>, 408, 5xx,
/// network) and the circuit breaker live in the client's resilience pipeline (<see cref="SegmentComposition"/>); this
/// class shapes the request and classifies the answer.
/// https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/
/// </summary>
public sealed class SegmentTrackingClient
{
    private readonly HttpClient _httpClient;
    private readonly Uri? _baseUriOverride;

    public SegmentTrackingClient(HttpClient httpClient, IOptions<SegmentOptions> options)
    {
        _httpClient = httpClient;
        _baseUriOverride = string.IsNullOrWhiteSpace(options.Value.ApiBaseUrl) ? null : WithTrailingSlash(new Uri(options.Value.ApiBaseUrl));
    }

    /// <summary>
    /// The Tracking API root of a region. Regions never fail over, and the EU endpoint refuses US write keys.
    /// https://segment.com/docs/guides/regional-segment/
    /// </summary>
    public static Uri RegionBaseUri(SegmentRegion region) => region switch
    {
        SegmentRegion.US => new Uri("https://api.segment.io/"),
        SegmentRegion.EU => new Uri("https://events.eu1.segmentapis.com/"),
        _ => throw new ArgumentOutOfRangeException(nameof(region), region, null),
    };

    /// <summary>Where batches for <paramref name="destination"/> go: <c>Segment__ApiBaseUrl</c> if set, else the region's root.</summary>
    public Uri BatchUriFor(SegmentDestination destination) => new(_baseUriOverride ?? RegionBaseUri(destination.Region), "v1/batch");

    /// <summary>Sends one <c>{"batch":[…]}</c> body (as built by <see cref="SegmentBatchBuilder"/>).</summary>
    public async Task SendBatchAsync(SegmentDestination destination, ReadOnlyMemory<byte> batchBody, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, BatchUriFor(destination))
        {
            Content = new ReadOnlyMemoryContent(batchBody),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        // Basic auth with the write key as user name and an empty password: base64(writeKey + ":"), set per request so
        // one client serves every partner. https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#authentication
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(destination.WriteKey + ":")));
        HttpResponseMessage response;
        try
        {
            response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception e) when (e is BrokenCircuitException || OutgoingCallRules.IsTransportFailure(e, ct))
        {
            throw new SegmentRequestException(isTransient: true, $"{destination}: {e.Message}", innerException: e);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode)
                return;
            var status = (int)response.StatusCode;
            var detail = await ReadDetailAsync(response, ct);
            // 400 is Segment's answer to an oversized or malformed payload: resending it cannot succeed.
            throw new SegmentRequestException(OutgoingCallRules.IsRetried(OutgoingCallRules.Classify(response.StatusCode)),
                $"{destination}: HTTP {status}{detail}", status);
        }
    }

    private static async Task<string> ReadDetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        return string.IsNullOrWhiteSpace(text) ? "" : $" {(text.Length > 300 ? text[..300] + "…" : text)}";
    }

    private static Uri WithTrailingSlash(Uri uri) => uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
}
