using System.Buffers;
using System.Net;

namespace CleverTapSegment.CleverTap;

/// <summary>
/// A CleverTap response body read in full into a pooled buffer. An export page is a few MB: renting instead of
/// allocating keeps every page off the large-object heap, so memory stays flat however many pages an export reads.
/// </summary>
internal sealed class CleverTapResponseBody : IDisposable
{
    /// <summary>
    /// The bodies' own pool, bounded per size. The shared pool keeps arrays per thread and per core: page-sized arrays
    /// returned from many thread-pool threads piled up there, and the worker's large-object heap grew with every
    /// export (./dev bench export, docs/benchmarks.md).
    /// </summary>
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 64 * 1024 * 1024, maxArraysPerBucket: 4);

    private byte[]? _buffer;

    private CleverTapResponseBody(byte[] buffer, int length, bool pooled)
    {
        _buffer = buffer;
        Length = length;
        Pooled = pooled;
    }

    public int Length { get; }

    private bool Pooled { get; }

    public ReadOnlyMemory<byte> Memory => (_buffer ?? throw new ObjectDisposedException(nameof(CleverTapResponseBody))).AsMemory(0, Length);

    public static CleverTapResponseBody Wrap(byte[] body) => new(body, body.Length, pooled: false);

    public static async Task<CleverTapResponseBody> ReadAsync(HttpContent content, CancellationToken ct)
    {
        // One byte more than announced, so the end of the stream is seen without growing the buffer.
        var size = content.Headers.ContentLength is { } announced and < (1 << 30) ? (int)announced + 1 : 64 * 1024;
        var buffer = Pool.Rent(size);
        var length = 0;
        try
        {
            await using var stream = await content.ReadAsStreamAsync(ct);
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = Pool.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    Pool.Return(buffer);
                    buffer = bigger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0)
                    return new CleverTapResponseBody(buffer, length, pooled: true);
                length += read;
            }
        }
        catch
        {
            Pool.Return(buffer);
            throw;
        }
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null && Pooled)
            Pool.Return(buffer);
    }
}

/// <summary>
/// The response content once the pipeline has read it inside the attempt (<see cref="ReadBodyInFullStrategy"/>),
/// so inside the account's concurrency slot and the attempt timeout. A client may take the body over
/// (<see cref="Detach"/>); if nobody does, disposing the response returns the buffer to the pool.
/// </summary>
internal sealed class CleverTapBufferedContent : HttpContent
{
    private CleverTapResponseBody? _body;

    public CleverTapBufferedContent(CleverTapResponseBody body) => _body = body;

    public ReadOnlySpan<byte> Span => Current.Memory.Span;

    /// <summary>Hands the body to the caller, who disposes it when done with everything parsed from it.</summary>
    public CleverTapResponseBody Detach() => Interlocked.Exchange(ref _body, null) ?? throw new InvalidOperationException("The body was already taken.");

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        => stream.WriteAsync(Current.Memory).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = Current.Length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Interlocked.Exchange(ref _body, null)?.Dispose();
        base.Dispose(disposing);
    }

    private CleverTapResponseBody Current => _body ?? throw new ObjectDisposedException(nameof(CleverTapBufferedContent));
}
