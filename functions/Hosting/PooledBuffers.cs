using Microsoft.IO;

namespace CleverTapSegment.Hosting;

/// <summary>
/// Pooled memory for the app's large transient buffers: ingest bodies, spool messages and their claim-check blobs,
/// CleverTap upload bodies (a 1000-record upload is ~0.5 MB). Allocated afresh, each of these lands on the large-object
/// heap, whose budget then forces a blocking gen2 collection every few tens of milliseconds under load: the stored
/// mode's worker spent about half its time paused in GC before these were pooled (docs/benchmarks.md).
/// https://github.com/microsoft/Microsoft.IO.RecyclableMemoryStream
/// </summary>
public static class PooledBuffers
{
    /// <summary>
    /// Small blocks of 128 KiB; a contiguous buffer (<see cref="RecyclableMemoryStream.GetBuffer"/>) comes in multiples
    /// of 1 MiB. What the pools keep while idle is bounded, so a burst does not leave the working set raised for good.
    /// </summary>
    public static RecyclableMemoryStreamManager Manager { get; } = new(new RecyclableMemoryStreamManager.Options
    {
        BlockSize = 128 * 1024,
        LargeBufferMultiple = 1024 * 1024,
        MaximumBufferSize = 64 * 1024 * 1024,
        MaximumSmallPoolFreeBytes = 16 * 1024 * 1024,
        MaximumLargePoolFreeBytes = 32 * 1024 * 1024,
    });

    /// <summary>A pooled stream (also an <see cref="System.Buffers.IBufferWriter{T}"/>); dispose it to return its memory.</summary>
    public static RecyclableMemoryStream Rent(string purpose, long expectedBytes = 0) =>
        expectedBytes > 0 ? Manager.GetStream(purpose, expectedBytes) : Manager.GetStream(purpose);

    /// <summary>What was written, as one contiguous span of pooled memory (valid until the stream is disposed).</summary>
    public static ReadOnlyMemory<byte> Written(RecyclableMemoryStream stream) => stream.GetBuffer().AsMemory(0, (int)stream.Length);
}
