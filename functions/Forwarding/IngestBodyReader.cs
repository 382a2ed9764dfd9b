using CleverTapSegment.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.IO;

namespace CleverTapSegment.Forwarding;

/// <summary>
/// The raw body (<see cref="Bytes"/>, pooled memory valid until this is disposed), or why it was refused (<see cref="Refusal"/>).
/// </summary>
public sealed class IngestBody : IDisposable
{
    private readonly RecyclableMemoryStream? _buffer;

    internal IngestBody(RecyclableMemoryStream buffer)
    {
        _buffer = buffer;
        Bytes = PooledBuffers.Written(buffer);
    }

    internal IngestBody(IngestRefusal refusal) => Refusal = refusal;

    public ReadOnlyMemory<byte> Bytes { get; }

    public IngestRefusal? Refusal { get; }

    public void Dispose() => _buffer?.Dispose();
}

/// <summary>Reads the raw request body, refusing it as soon as it passes the limit (the signature needs the exact bytes).</summary>
public static class IngestBodyReader
{
    /// <summary>
    /// The body bytes; a 413 refusal when it is larger than <paramref name="maxBytes"/>; the client's fault (400, 408)
    /// when its framing is broken, it stalls or its connection ends inside it.
    /// </summary>
    public static async Task<IngestBody> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
            return TooLarge(maxBytes);
        // Kestrel's own cap (30 MB by default) must not cut in before ours does.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = maxBytes + 1;

        var buffer = PooledBuffers.Rent("ingest-body", Math.Min(request.ContentLength ?? 0, maxBytes) + 1);
        try
        {
            while (true)
            {
                // The rest of the current pooled block: a large body is read block by block, never copied to grow.
                var read = await request.Body.ReadAsync(buffer.GetMemory(), cancellationToken);
                if (read == 0)
                    return new IngestBody(buffer);
                buffer.Advance(read);
                if (buffer.Length > maxBytes)
                {
                    buffer.Dispose();
                    return TooLarge(maxBytes);
                }
            }
        }
        catch (Exception exception) when (RequestBodyFaults.TryGetStatusCode(exception, request, out var statusCode))
        {
            buffer.Dispose();
            RequestBodyFaults.Log(request, statusCode, exception);
            return statusCode == StatusCodes.Status413PayloadTooLarge
                ? TooLarge(maxBytes)
                : new IngestBody(new IngestRefusal(statusCode, $"The request body could not be read: {exception.Message}"));
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    private static IngestBody TooLarge(long maxBytes) =>
        new(new IngestRefusal(StatusCodes.Status413PayloadTooLarge, $"Request body is larger than {maxBytes} bytes (Ingest__MaxBodyBytes)."));
}
