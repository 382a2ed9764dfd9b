using System.Text.Json;
using CleverTapSegment.CleverTap;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Forwarding;

/// <summary>A request refused before any of its events is looked at (unknown connection, auth, size, not JSON).</summary>
/// <param name="Challenge">A <c>WWW-Authenticate</c> value to send with a 401, if any.</param>
public sealed record IngestRefusal(int StatusCode, string Message, string? Challenge = null);

/// <summary>
/// A readable Segment request: the account its events go to and the events themselves, which are views into the
/// parsed body (its pooled bytes) and valid until this is disposed.
/// </summary>
public sealed class IngestRequest(CleverTapAccount account, IngestBody body, JsonDocument document, IReadOnlyList<JsonElement> events, bool isBatch, bool isDryRun)
    : IDisposable
{
    public CleverTapAccount Account { get; } = account;
    public IReadOnlyList<JsonElement> Events { get; } = events;
    /// <summary>An array or <c>{"batch":[…]}</c>: answered with per-event results. A single event is answered by its own status.</summary>
    public bool IsBatch { get; } = isBatch;
    /// <summary><c>?dryRun=true</c>: show what would be sent, send nothing.</summary>
    public bool IsDryRun { get; } = isDryRun;

    public void Dispose()
    {
        document.Dispose();
        body.Dispose();
    }
}

/// <summary>
/// The request side of <c>SegmentIngest</c>: which account (the optional <c>{connection}</c>), Basic auth, the body
/// limit, the JSON, Segment's <c>X-Signature</c>, and the events in the body. Every refusal says what to fix.
/// https://segment.com/docs/connections/destinations/catalog/actions-webhook/
/// </summary>
public sealed class IngestRequestReader(CleverTapAccounts accounts, IOptions<IngestOptions> options)
{
    private readonly IngestOptions _options = options.Value;

    /// <summary>A request from Segment: its credentials (Basic auth, <c>X-Signature</c>) are checked when configured.</summary>
    public Task<(IngestRequest? Request, IngestRefusal? Refusal)> ReadAsync(HttpRequest request, string? connection, CancellationToken cancellationToken) =>
        ReadAsync(request, connection, fromSegment: true, cancellationToken);

    /// <summary>
    /// A preview asked for by someone the management check let in (<see cref="IngestPreviewFunction"/>): Segment's own
    /// credentials are not asked for, since the caller is not Segment; the rest is read as Segment's requests are.
    /// </summary>
    public Task<(IngestRequest? Request, IngestRefusal? Refusal)> ReadPreviewAsync(HttpRequest request, string? connection, CancellationToken cancellationToken) =>
        ReadAsync(request, connection, fromSegment: false, cancellationToken);

    private async Task<(IngestRequest? Request, IngestRefusal? Refusal)> ReadAsync(HttpRequest request, string? connection, bool fromSegment, CancellationToken cancellationToken)
    {
        CleverTapAccount account;
        if (string.IsNullOrEmpty(connection))
            account = accounts.Default;
        else if (!accounts.TryGet(connection, out account))
            return Refuse(StatusCodes.Status404NotFound, $"Unknown connection '{connection}': configure CleverTap__Connections__{connection}__AccountId and __Passcode.");

        if (fromSegment && _options.RequiresBasicAuth && !IngestAuthentication.IsValidBasicAuth(request.Headers.Authorization, _options.BasicAuthUsername!, _options.BasicAuthPassword))
            return (null, new IngestRefusal(StatusCodes.Status401Unauthorized, "Missing or wrong Basic credentials.", "Basic realm=\"segment\""));

        var body = await IngestBodyReader.ReadAsync(request, _options.MaxBodyBytes, cancellationToken);
        if (body.Refusal is { } bodyRefusal)
            return (null, bodyRefusal);

        JsonDocument document;
        try
        {
            // The document reads the pooled body in place: both live until the IngestRequest is disposed.
            document = JsonDocument.Parse(body.Bytes);
        }
        catch (JsonException exception)
        {
            body.Dispose();
            return Refuse(StatusCodes.Status400BadRequest, $"Body is not valid JSON: {exception.Message}");
        }

        var secrets = _options.ActiveSharedSecrets;
        if (fromSegment && secrets.Count > 0 && !IngestAuthentication.IsValidSignature(request.Headers[IngestAuthentication.SignatureHeader], body.Bytes.Span, document.RootElement, secrets))
        {
            document.Dispose();
            body.Dispose();
            return Refuse(StatusCodes.Status401Unauthorized, "Missing or wrong X-Signature.");
        }
        if (!TryGetEvents(document.RootElement, out var events, out var isBatch, out var problem))
        {
            document.Dispose();
            body.Dispose();
            return Refuse(StatusCodes.Status400BadRequest, problem);
        }
        return (new IngestRequest(account, body, document, events, isBatch, isDryRun: !fromSegment || IsDryRun(request)), null);
    }

    /// <summary>A single event, a Webhooks (Actions) array, or <c>{"batch":[…]}</c> (the HTTP Tracking API shape).</summary>
    internal static bool TryGetEvents(JsonElement root, out IReadOnlyList<JsonElement> events, out bool isBatch, out string problem)
    {
        events = [];
        problem = "";
        isBatch = true;
        JsonElement list;
        if (root.ValueKind == JsonValueKind.Array)
        {
            list = root;
        }
        else if (root.ValueKind != JsonValueKind.Object)
        {
            problem = "Body must be a Segment event object, an array of events, or {\"batch\":[…]}.";
            return false;
        }
        else if (TryGetBatch(root, out var batch))
        {
            list = batch;
        }
        else
        {
            isBatch = false;
            events = [root];
            return true;
        }
        events = list.EnumerateArray().ToList();
        if (events.Count == 0)
        {
            problem = "The batch holds no events.";
            return false;
        }
        return true;
    }

    private static bool TryGetBatch(JsonElement root, out JsonElement batch)
    {
        try
        {
            return root.TryGetProperty("batch"u8, out batch) && batch.ValueKind == JsonValueKind.Array;
        }
        catch (InvalidOperationException)
        {
            // A key that is not Unicode text (an unpaired surrogate escape) makes any look-up throw. Such an object is
            // taken as one event, which the mapping rejects naming the bad key.
            batch = default;
            return false;
        }
    }

    private static bool IsDryRun(HttpRequest request) =>
        request.Query.TryGetValue("dryRun", out var value) && (bool.TryParse(value, out var on) ? on : value == "1");

    private static (IngestRequest?, IngestRefusal?) Refuse(int statusCode, string message) => (null, new IngestRefusal(statusCode, message));
}
