using System.IO.MemoryMappedFiles;

namespace CleverTapSegment.Hosting;

/// <summary>
/// The app's "now" read from a file another process moves: 8 bytes, a little-endian <see cref="long"/> of UTC ticks,
/// named by <c>DevHost__ClockFile</c>: how end-to-end tests move the worker's clock from another process.
/// Only wall-clock time comes from the file: timers and <see cref="TimeProvider.GetTimestamp"/>
/// stay the system's, so timeouts and elapsed-time budgets keep working.
/// </summary>
public sealed class DevHostClock : TimeProvider, IDisposable
{
    public const string ClockFileSetting = "DevHost__ClockFile";

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;

    private DevHostClock(string path)
    {
        Path = path;
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        _view = _file.CreateViewAccessor(0, sizeof(long), MemoryMappedFileAccess.Read);
    }

    public string Path { get; }

    /// <summary>
    /// The clock file's time when <c>DevHost__ClockFile</c> is set and the worker runs in Development; otherwise null
    /// (the system clock). A production app never lets a file decide what time it is.
    /// </summary>
    /// <exception cref="InvalidOperationException">The setting names a file that cannot be read as a clock.</exception>
    public static DevHostClock? FromConfiguration(IConfiguration configuration)
    {
        var path = configuration[ClockFileSetting.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal)];
        if (string.IsNullOrWhiteSpace(path) || !FunctionsEnvironment.FromConfiguration(configuration).IsDevelopment)
            return null;
        try
        {
            return new DevHostClock(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"{ClockFileSetting} names '{path}', which cannot be mapped as an 8-byte clock file: {exception.Message}", exception);
        }
    }

    // An aligned 8-byte read of a shared mapping: the writer's last value, never a torn one.
    public override DateTimeOffset GetUtcNow() => new(_view.ReadInt64(0), TimeSpan.Zero);

    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
    }
}
