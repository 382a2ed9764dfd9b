namespace CleverTapSegment.DevHost.Http;

/// <summary>
/// The caller's request body as it is streamed to the worker, remembering why Kestrel refused it, if it did: a
/// malformed chunk, a body over the limit, a body that stalled below the minimum data rate. The forward then fails
/// on the worker's side too (its body is cut short), but the fault is the caller's, so the answer is Kestrel's
/// status for it (400, 413, 408), not a 500 or 502. Kestrel reports some framing faults as a plain
/// <see cref="IOException"/> (a chunk size that overflows 64 bits), as it does a connection that ends inside the
/// body: both are the caller's, a 400.
/// </summary>
internal sealed class CallerRequestBody(Stream inner) : Stream
{
    private CallerBodyRefusal? _refusal;

    /// <summary>Why Kestrel refused the caller's body, once it has.</summary>
    public CallerBodyRefusal? Refusal => Volatile.Read(ref _refusal);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return inner.Read(buffer);
        }
        catch (Exception exception)
        {
            Remember(exception);
            throw;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception exception)
        {
            Remember(exception);
            throw;
        }
    }

    private void Remember(Exception exception)
    {
        var statusCode = exception switch
        {
            BadHttpRequestException refused => refused.StatusCode,
            IOException => StatusCodes.Status400BadRequest,
            _ => 0,
        };
        if (statusCode != 0)
        {
            Volatile.Write(ref _refusal, new CallerBodyRefusal(statusCode, exception.Message));
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Kestrel's status for a body it refused, and its reason.</summary>
internal sealed record CallerBodyRefusal(int StatusCode, string Reason);
