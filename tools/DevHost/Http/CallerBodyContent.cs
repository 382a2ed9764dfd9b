namespace CleverTapSegment.DevHost.Http;

/// <summary>
/// The caller's body as the content forwarded to the worker, flushed after each read: the worker then has the
/// request (its invocation's start call) as soon as the first bytes came, as with the host's streaming proxy. Left
/// in HttpClient's write buffer, a body that stalls or breaks after its first bytes would cut the forward off before
/// the worker heard of it, and the worker would fail the invocation as an error.
/// </summary>
internal sealed class CallerBodyContent(Stream body, int chunkSize) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
    {
        var buffer = new byte[chunkSize];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
