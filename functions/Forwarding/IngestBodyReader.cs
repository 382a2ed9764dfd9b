using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace CleverTapSegment.Forwarding;

/// <summary>Reads the raw request body, refusing it as soon as it passes the limit (the signature needs the exact bytes).</summary>
public static class IngestBodyReader
{
    /// <summary>The body bytes, or null when it is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
            return null;
        // Kestrel's own cap (30 MB by default) must not cut in before ours does.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = maxBytes + 1;

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 16 * 1024, maxBytes) + 1);
        while (true)
        {
            var memory = buffer.GetMemory(Math.Max(4096, buffer.FreeCapacity));
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
                return buffer.WrittenMemory;
            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
                return null;
        }
    }
}
