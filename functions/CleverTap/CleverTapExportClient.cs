using System.Net;
using System.Text;
using System.Text.Json;

namespace CleverTapSegment.CleverTap;

/// <summary>Which cursor export to read: Get Events or Get User Profiles.</summary>
public enum ExportDataType { Events, Profiles }

/// <summary>Why an export call failed, as the worker acts on it.</summary>
public enum ExportFailureKind
{
    /// <summary>"Request still in progress" outlasted the client's own retries on the same cursor; try again later.</summary>
    InProgress,
    /// <summary>"Export not allowed for this event" (notification events): the item is skipped, not retried.</summary>
    NotAllowed,
    /// <summary>401/403: wrong account id, passcode or region.</summary>
    Unauthorized,
    /// <summary>429/5xx/network/timeouts after the pipeline's retries: retry later (queue redelivery).</summary>
    Transient,
    /// <summary>Anything else CleverTap refused (other 4xx, a <c>fail</c> status, a repeating cursor, a malformed body).</summary>
    Permanent,
}

/// <summary>A failed export call. The message never contains the passcode.</summary>
public sealed class CleverTapExportException : Exception
{
    public CleverTapExportException(ExportFailureKind kind, string message, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        StatusCode = statusCode;
    }

    public ExportFailureKind Kind { get; }

    public int? StatusCode { get; }
}

/// <summary>One page of a cursor export. Owns the parsed document: the records are valid until disposal.</summary>
public sealed class ExportPage : IDisposable
{
    private readonly JsonDocument? _document;

    internal ExportPage(JsonDocument? document, IReadOnlyList<JsonElement> records, string? nextCursor)
    {
        _document = document;
        Records = records;
        NextCursor = nextCursor;
    }

    public IReadOnlyList<JsonElement> Records { get; }

    /// <summary>The (percent-decoded) cursor of the next page, or <c>null</c> at the end of the export.</summary>
    public string? NextCursor { get; }

    public void Dispose() => _document?.Dispose();
}

/// <summary>
/// Typed client of CleverTap's cursor exports (Get Events / Get User Profiles): open a cursor for an event and a range
/// of project-local days, then read pages until there is no <c>next_cursor</c>.
/// Retries ("still in progress", 429, 5xx, network) and the per-account concurrency limit live in
/// <see cref="CleverTapExportResilienceHandler"/>; this class only shapes requests and classifies answers.
/// https://developer.clevertap.com/docs/get-events-api, https://developer.clevertap.com/docs/get-user-profiles-api
/// </summary>
public sealed class CleverTapExportClient
{
    /// <summary>The documented maximum <c>batch_size</c>. https://developer.clevertap.com/docs/get-events-api</summary>
    public const int MaxBatchSize = 5000;

    private readonly HttpClient _httpClient;

    public CleverTapExportClient(HttpClient httpClient) => _httpClient = httpClient;

    public Task<string> OpenCursorAsync(CleverTapAccount account, ExportDataType dataType, string eventName, DateOnly fromDay, DateOnly toDay, int batchSize, CancellationToken ct)
        => throw new NotImplementedException("exp-clients: signature committed first, body lands next.");

    public Task<ExportPage> GetPageAsync(CleverTapAccount account, ExportDataType dataType, string cursor, CancellationToken ct)
        => throw new NotImplementedException("exp-clients: signature committed first, body lands next.");
}
