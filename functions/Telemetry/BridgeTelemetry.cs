using System.Diagnostics;
using System.Diagnostics.Metrics;
using CleverTapSegment.Forwarding;

namespace CleverTapSegment.Telemetry;

/// <summary>
/// The app's own meter and activity source: what an operator watches (throughput, rejections, throttling, retries,
/// export progress) next to the Functions host's telemetry. Every instrument is tagged with the CleverTap account's
/// connection name (<c>default</c> or the <c>CleverTap__Connections__&lt;name&gt;</c> key), never with a credential.
/// Retries are counted by Polly's own meter and HTTP calls by .NET's <c>System.Net.Http</c> meter (both exported too).
/// Names follow the OpenTelemetry conventions (dot-separated, unit in <c>unit</c>):
/// https://opentelemetry.io/docs/specs/semconv/general/metrics/
/// </summary>
public sealed class BridgeTelemetry
{
    public const string Name = "CleverTapSegment";

    /// <summary>Spans for uploads and export pages; exported with the worker's own (the OpenTelemetry composition adds it).</summary>
    public static readonly ActivitySource Activities = new(Name);

    public const string AccountTag = "clevertap.account";
    public const string ReasonTag = "reason";
    public const string OutcomeTag = "outcome";
    public const string DataTypeTag = "export.data_type";

    private readonly Counter<long> _eventsReceived;
    private readonly Counter<long> _eventsDelivered;
    private readonly Counter<long> _eventsRejected;
    private readonly Counter<long> _eventsSkipped;
    private readonly Counter<long> _uploads;
    private readonly Histogram<int> _recordsPerUpload;
    private readonly Counter<long> _throttled;
    private readonly Counter<long> _exportRecords;
    private readonly Counter<long> _spoolRecords;
    private readonly Histogram<double> _spoolDeliveryDelay;
    private long _spoolDepth = -1;
    private double _spoolOldestAgeSeconds = -1;

    private readonly IngestStatsRecorder _ingestStats;

    public BridgeTelemetry(IMeterFactory meterFactory, IngestStatsRecorder ingestStats)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _ingestStats = ingestStats;
        var meter = meterFactory.Create(Name);
        _eventsReceived = meter.CreateCounter<long>("bridge.ingest.events.received", "{event}", "Segment events received by SegmentIngest.");
        _eventsDelivered = meter.CreateCounter<long>("bridge.ingest.events.delivered", "{event}", "Segment events whose records CleverTap accepted.");
        _eventsRejected = meter.CreateCounter<long>("bridge.ingest.events.rejected", "{event}", "Segment events refused for good (mapping or CleverTap validation), by reason.");
        _eventsSkipped = meter.CreateCounter<long>("bridge.ingest.events.skipped", "{event}", "Segment events not sent on purpose (integrations off, already delivered).");
        _uploads = meter.CreateCounter<long>("bridge.clevertap.uploads", "{upload}", "Upload API calls, by outcome.");
        _recordsPerUpload = meter.CreateHistogram<int>("bridge.clevertap.upload.records", "{record}", "Records per Upload API call (coalescing fills uploads up to 1000).");
        _throttled = meter.CreateCounter<long>("bridge.clevertap.throttled", "{response}", "429 answers from CleverTap.");
        _exportRecords = meter.CreateCounter<long>("bridge.export.records", "{record}", "Export records, by outcome: read from CleverTap, sent to Segment, skipped, failed.");
        _spoolRecords = meter.CreateCounter<long>("bridge.spool.records", "{record}", "Spooled records (stored mode), by outcome: stored, delivered, retried, dead_lettered.");
        _spoolDeliveryDelay = meter.CreateHistogram<double>("bridge.spool.delivery.delay", "s", "Time from acknowledging a spooled message to delivering its records to CleverTap.");
        meter.CreateObservableGauge("bridge.spool.depth", () => Volatile.Read(ref _spoolDepth) is var depth and >= 0 ? [new Measurement<long>(depth)] : Array.Empty<Measurement<long>>(),
            "{message}", "Approximate number of messages in ingest-spool (as last read by api/ingest/spool).");
        meter.CreateObservableGauge("bridge.spool.oldest_age", () => Volatile.Read(ref _spoolOldestAgeSeconds) is var age and >= 0 ? [new Measurement<double>(age)] : Array.Empty<Measurement<double>>(),
            "s", "Age of the spool message the delivery function handled last (retries keep their first acknowledgement time).");
    }

    // Each ingest fact goes to the meter (operators) and to the dashboard's 24-hour counts (marketers) from here,
    // so the two can never disagree about what was counted.
    public void EventsReceived(string account, int count)
    {
        if (count <= 0)
            return;
        Add(_eventsReceived, count, account);
        _ingestStats.Received(account, count);
    }

    public void EventsDelivered(string account, int count)
    {
        if (count <= 0)
            return;
        Add(_eventsDelivered, count, account);
        _ingestStats.Delivered(account, count);
    }

    public void EventsRejected(string account, string reason, int count = 1)
    {
        var category = ReasonCategory(reason);
        Add(_eventsRejected, count, account, Tag(ReasonTag, category));
        _ingestStats.Rejected(account, category, count);
    }

    public void EventsSkipped(string account, string reason, int count = 1)
    {
        Add(_eventsSkipped, count, account, Tag(ReasonTag, ReasonCategory(reason)));
        _ingestStats.Skipped(account, count);
    }

    /// <summary>One Upload API call that CleverTap answered 200 (<paramref name="outcome"/> <c>delivered</c> or <c>partial</c>).</summary>
    public void UploadSucceeded(string account, string outcome, int records)
    {
        Add(_uploads, 1, account, Tag(OutcomeTag, outcome));
        _recordsPerUpload.Record(records, new KeyValuePair<string, object?>(AccountTag, account));
        _ingestStats.UploadSucceeded(account);
    }

    /// <summary>One Upload API call that failed (<paramref name="outcome"/> <c>throttled</c>, <c>unavailable</c> or <c>rejected</c>); <paramref name="error"/> carries no secret.</summary>
    public void UploadFailed(string account, string outcome, int records, string error)
    {
        Add(_uploads, 1, account, Tag(OutcomeTag, outcome));
        _recordsPerUpload.Record(records, new KeyValuePair<string, object?>(AccountTag, account));
        _ingestStats.UploadFailed(account, error);
    }

    /// <summary>An upload whose records CleverTap still refused with 429 once the retries inside the deadline ran out.</summary>
    public void Throttled(string account) => Add(_throttled, 1, account);

    /// <summary>
    /// What became of the events of one answered Segment request. Retries (Polly's <c>OnRetry</c> events) are
    /// reported by Polly's own meter, tagged with the pipeline instance (the CleverTap account):
    /// https://www.pollydocs.org/advanced/telemetry.html
    /// </summary>
    public void IngestAnswered(string account, IReadOnlyList<EventResult> events)
    {
        EventsReceived(account, events.Count);
        var delivered = 0;
        foreach (var result in events)
        {
            switch (result.Status)
            {
                case EventStatus.Delivered:
                    delivered++;
                    break;
                case EventStatus.Rejected or EventStatus.Unsupported:
                    EventsRejected(account, result.Reason ?? result.Status);
                    break;
                case EventStatus.Skipped:
                    EventsSkipped(account, result.Reason ?? result.Status);
                    break;
            }
        }
        EventsDelivered(account, delivered);
    }

    public void SpoolStored(string account, int records) => Add(_spoolRecords, records, account, Tag(OutcomeTag, "stored"));

    /// <summary>Records of one spool message delivered; <paramref name="events"/> counts their events (first record of each).</summary>
    public void SpoolDelivered(string account, int records, int events, TimeSpan sinceAcknowledged)
    {
        if (records <= 0)
            return;
        Add(_spoolRecords, records, account, Tag(OutcomeTag, "delivered"));
        _spoolDeliveryDelay.Record(Math.Max(0, sinceAcknowledged.TotalSeconds), new KeyValuePair<string, object?>(AccountTag, account));
        EventsDelivered(account, events);
    }

    public void SpoolRetried(string account, int records) => Add(_spoolRecords, records, account, Tag(OutcomeTag, "retried"));

    /// <summary>
    /// Spooled records that went to the dead-letter table: their events count as rejected, as the same refusal does in
    /// delivered mode, so the dashboard's 24-hour counts tell the same story in both modes.
    /// </summary>
    public void SpoolDeadLettered(string account, string reason, int records, int events)
    {
        Add(_spoolRecords, records, account, Tag(OutcomeTag, "dead_lettered"), Tag(ReasonTag, ReasonCategory(reason)));
        if (events > 0)
            EventsRejected(account, reason, events);
    }

    public void SpoolDepth(long depth) => Volatile.Write(ref _spoolDepth, depth);

    public void SpoolAge(TimeSpan age) => Volatile.Write(ref _spoolOldestAgeSeconds, Math.Max(0, age.TotalSeconds));

    public void ExportRecords(string account, string dataType, string outcome, int count) =>
        Add(_exportRecords, count, account, Tag(DataTypeTag, dataType), Tag(OutcomeTag, outcome));

    private static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);

    private static void Add(Counter<long> counter, long count, string account, params ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (count <= 0)
            return;
        var all = new TagList { { AccountTag, account } };
        foreach (var tag in tags)
            all.Add(tag);
        counter.Add(count, in all);
    }

    /// <summary>
    /// A reason becomes a metric dimension only as its stable category (the text before the first ':'), cut to 64
    /// characters: per-record details (a key name, a value) would explode the number of time series.
    /// </summary>
    internal static string ReasonCategory(string reason)
    {
        var colon = reason.IndexOf(':', StringComparison.Ordinal);
        var category = (colon > 0 ? reason[..colon] : reason).Trim();
        return category.Length <= 64 ? category : category[..64];
    }
}
