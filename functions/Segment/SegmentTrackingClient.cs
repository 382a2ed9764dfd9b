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
/// Typed client of Segment's HTTP Tracking API <c>POST /v1/batch</c>.
/// https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/
/// </summary>
public sealed class SegmentTrackingClient
{
    private readonly HttpClient _httpClient;

    public SegmentTrackingClient(HttpClient httpClient) => _httpClient = httpClient;

    /// <summary>Sends one <c>{"batch":[…]}</c> body (as built by <see cref="SegmentBatchBuilder"/>).</summary>
    public Task SendBatchAsync(SegmentDestination destination, ReadOnlyMemory<byte> batchBody, CancellationToken ct)
        => throw new NotImplementedException("exp-clients: signature committed first, body lands next.");
}
