using System.IO.MemoryMappedFiles;
using Microsoft.Extensions.Time.Testing;

namespace CleverTapSegment.Testing;

/// <summary>
/// The clock of an end-to-end test, shared across the process boundary: a <see cref="FakeTimeProvider"/> that the
/// in-process dev host uses for timer schedules, mirrored into an 8-byte file (little-endian UTC ticks) that the
/// worker maps as its <c>TimeProvider.GetUtcNow()</c> (the worker's <c>DevHost__ClockFile</c> setting). Moving
/// this clock moves the app's "now" and fires due timers; the worker's own timers and timestamps stay real.
/// </summary>
public sealed class WorkerClock : TimeProvider, IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly Lock _gate = new();

    public WorkerClock(DateTimeOffset start)
    {
        Fake = new FakeTimeProvider(start);
        Fake.SetLocalTimeZone(TimeZoneInfo.Utc);
        FilePath = Path.Combine(Path.GetTempPath(), $"ctseg-clock-{Guid.NewGuid():N}");
        using (var stream = new FileStream(FilePath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
        {
            stream.SetLength(sizeof(long));
        }
        _file = MemoryMappedFile.CreateFromFile(FilePath, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.ReadWrite);
        _view = _file.CreateViewAccessor(0, sizeof(long), MemoryMappedFileAccess.ReadWrite);
        Write(start);
    }

    /// <summary>Give to <c>DevHostOptions.TimeProvider</c>: its timers fire as this clock moves.</summary>
    public FakeTimeProvider Fake { get; }

    /// <summary>The worker's <c>DevHost__ClockFile</c>.</summary>
    public string FilePath { get; }

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        Fake.CreateTimer(callback, state, dueTime, period);

    /// <summary>Moves to <paramref name="utcNow"/>: the worker sees it first, then the dev host's due timers fire.</summary>
    public void SetUtcNow(DateTimeOffset utcNow)
    {
        lock (_gate)
        {
            if (utcNow < Fake.GetUtcNow())
                throw new ArgumentOutOfRangeException(nameof(utcNow), "Time only moves forward.");
            Write(utcNow);
        }
        Fake.SetUtcNow(utcNow);
    }

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        SetUtcNow(GetUtcNow() + by);
    }

    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
        File.Delete(FilePath);
    }

    private void Write(DateTimeOffset utcNow)
    {
        _view.Write(0, utcNow.UtcTicks);
        _view.Flush();
    }
}
