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
    private ReadOnlyMemory<byte> _primed;
    private Task<int>? _pendingRead;

    /// <summary>Why Kestrel refused the caller's body, once it has.</summary>
    public CallerBodyRefusal? Refusal => Volatile.Read(ref _refusal);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>
    /// Reads the body's first bytes before the worker hears of the request (they are served first afterwards), so
    /// a body Kestrel refuses at once (an overflowing chunk size, a length over the limit, nothing arriving) is
    /// answered without invoking the function, as a host in front of a function does; a forward cut off before
    /// the worker's start call would fail its invocation as an error. False when the body was refused.
    /// </summary>
    public async Task<bool> PrimeAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            _primed = buffer.AsMemory(0, await inner.ReadAsync(buffer, cancellationToken));
            return true;
        }
        catch (Exception exception) when (exception is BadHttpRequestException or IOException)
        {
            Remember(exception);
            return false;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (TakePrimed(buffer.Length) is { IsEmpty: false } primed)
        {
            primed.Span.CopyTo(buffer);
            return primed.Length;
        }
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
        if (TakePrimed(buffer.Length) is { IsEmpty: false } primed)
        {
            primed.CopyTo(buffer);
            return primed.Length;
        }
        // The read itself is not cancelled with the forward: it ends on its own, with data or with Kestrel's refusal
        // (its minimum data rate bounds every read), so SettledAsync can tell a caller that stalled from one that did not.
        var read = inner.ReadAsync(buffer, CancellationToken.None).AsTask();
        _pendingRead = read;
        _ = read.ContinueWith(failed => Remember(failed.Exception!.GetBaseException()), CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await read.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Completes when no read of the caller's body is in flight any more. When the worker fails while the caller is
    /// still sending (its own Kestrel gave up on the same stalled body a moment earlier), the caller's read ends in
    /// Kestrel's refusal, which is then the answer, not the failed invocation's 500.
    /// </summary>
    public Task SettledAsync() => _pendingRead is { } read
        ? read.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
        : Task.CompletedTask;

    private ReadOnlyMemory<byte> TakePrimed(int atMost)
    {
        var taken = _primed[..Math.Min(atMost, _primed.Length)];
        _primed = _primed[taken.Length..];
        return taken;
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
