using System.Text.Json;
using CleverTapSegment.Forwarding.Mapping;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Forwarding;

/// <summary>
/// Maps a request's events with the configured settings. Bad input is the mapping's business: it rejects the event
/// with a reason the sender sees in Segment, and nothing is logged. An exception out of the mapping is a bug: only its
/// event is rejected, and the request logs it once, however many events hit it, so one sender cannot flood the logs.
/// </summary>
public sealed partial class IngestEventMapper(IOptions<IngestOptions> options, ILogger<IngestEventMapper> logger)
{
    private readonly MappingSettings _settings = options.Value.MappingSettings;

    public MappedEvent[] Map(IReadOnlyList<JsonElement> events)
    {
        var mapped = new MappedEvent[events.Count];
        Exception? firstFailure = null;
        var failures = 0;
        for (var i = 0; i < mapped.Length; i++)
        {
            if (events[i].ValueKind != JsonValueKind.Object)
            {
                mapped[i] = new MappedEvent(null, null, MappingDisposition.Rejected, [], [], "Not a JSON object.");
                continue;
            }
            try
            {
                mapped[i] = SegmentEventMapper.Map(events[i], _settings);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                firstFailure ??= exception;
                failures++;
                mapped[i] = new MappedEvent(null, null, MappingDisposition.Rejected, [], [], "The event could not be mapped (internal error).");
            }
        }
        if (firstFailure is not null)
            LogMappingFailed(logger, failures, mapped.Length, firstFailure);
        return mapped;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Mapping failed for {Failures} of {Events} Segment event(s) of one request; the first failure follows")]
    private static partial void LogMappingFailed(ILogger logger, int failures, int events, Exception exception);
}
