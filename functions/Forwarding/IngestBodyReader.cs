using System.Buffers;
using CleverTapSegment.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace CleverTapSegment.Forwarding;

/// <summary>The raw body (<see cref="Bytes"/>), or why it was refused (<see cref="Refusal"/>).</summary>
public readonly record struct IngestBody(ReadOnlyMemory<byte> Bytes, IngestRefusal? Refusal);

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

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 16 * 1024, maxBytes) + 1);
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(Math.Max(4096, buffer.FreeCapacity));
                var read = await request.Body.ReadAsync(memory, cancellationToken);
                if (read == 0)
                    return new IngestBody(buffer.WrittenMemory, null);
                buffer.Advance(read);
                if (buffer.WrittenCount > maxBytes)
                    return TooLarge(maxBytes);
            }
        }
        catch (Exception exception) when (RequestBodyFaults.TryGetStatusCode(exception, request, out var statusCode))
        {
            RequestBodyFaults.Log(request, statusCode, exception);
            return statusCode == StatusCodes.Status413PayloadTooLarge
                ? TooLarge(maxBytes)
                : new IngestBody(default, new IngestRefusal(statusCode, $"The request body could not be read: {exception.Message}"));
        }
    }

    private static IngestBody TooLarge(long maxBytes) =>
        new(default, new IngestRefusal(StatusCodes.Status413PayloadTooLarge, $"Request body is larger than {maxBytes} bytes (Ingest__MaxBodyBytes)."));
}
