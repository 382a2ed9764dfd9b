using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Hosting;
using CleverTapSegment.Telemetry;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Forwarding;

/// <summary>Sends upload records to CleverTap: the seam the ingest endpoint delivers through.</summary>
public interface IRecordUploader
{
    /// <summary>
    /// Queues the records and returns one task per record that completes with its outcome. A task may complete
    /// after <paramref name="deadline"/> (an upload already in flight finishes); records still queued at the
    /// deadline are not sent and complete as <see cref="RecordOutcome.Unavailable"/>.
    /// </summary>
    IReadOnlyList<Task<RecordResult>> Submit(CleverTapAccount account, IReadOnlyList<UploadRecord> records, DateTimeOffset deadline);
}

/// <summary>The upload call itself, behind a delegate so the coalescer can be tested without HTTP.</summary>
public delegate Task<RecordResult[]> UploadBatchAsync(CleverTapAccount account, IReadOnlyList<UploadRecord> records, DateTimeOffset deadline, CancellationToken cancellationToken);

/// <summary>
/// Per account, one queue of records from every concurrent request, drained into shared uploads of up to
/// <see cref="CleverTapClient.MaxRecordsPerUpload"/> records with at most <see cref="CleverTapAccount.MaxConcurrentUploads"/>
/// in flight. While the slots are busy records pile up, so the busier the endpoint the fuller each upload: CleverTap
/// limits concurrent requests, not records (https://developer.clevertap.com/docs/api-request-limit).
/// With <see cref="IngestOptions.Coalesce"/> off each request's records go out as their own uploads (same slot limit).
/// </summary>
public sealed partial class UploadCoalescer : IRecordUploader, IAsyncDisposable
{
    private readonly UploadBatchAsync _upload;
    private readonly TimeProvider _timeProvider;
    private readonly bool _coalesce;
    private readonly ILogger _logger;
    private readonly BridgeTelemetry? _telemetry;
    private readonly ConcurrentDictionary<string, Lazy<AccountQueue>> _queues = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stopping = new();
    private readonly UnawaitedTasks _uploadsInFlight = new();
    private int _disposed;

    internal UploadCoalescer(UploadBatchAsync upload, TimeProvider timeProvider, bool coalesce, ILogger<UploadCoalescer> logger, BridgeTelemetry? telemetry = null)
    {
        _upload = upload;
        _timeProvider = timeProvider;
        _coalesce = coalesce;
        _logger = logger;
        _telemetry = telemetry;
    }

    public UploadCoalescer(IServiceProvider services, TimeProvider timeProvider, IOptions<IngestOptions> options, ILogger<UploadCoalescer> logger)
        : this((account, records, deadline, cancellationToken) => services.GetRequiredService<CleverTapClient>().UploadAsync(account, records, deadline, cancellationToken),
            timeProvider, options.Value.Coalesce, logger, services.GetService<BridgeTelemetry>())
    {
    }

    /// <summary>Records closer than this to their deadline are not worth starting an upload for.</summary>
    internal static readonly TimeSpan MinimumUsefulTime = TimeSpan.FromMilliseconds(100);

    public IReadOnlyList<Task<RecordResult>> Submit(CleverTapAccount account, IReadOnlyList<UploadRecord> records, DateTimeOffset deadline)
    {
        var pending = new PendingRecord[records.Count];
        for (var i = 0; i < records.Count; i++)
            pending[i] = new PendingRecord(records[i], deadline);
        if (records.Count == 0)
            return [];

        // Lazy: GetOrAdd may run its factory twice under a race, and only one drain loop may exist per account.
        var queue = _queues.GetOrAdd(account.Name, _ => new Lazy<AccountQueue>(() => StartQueue(account))).Value;
        if (_coalesce)
        {
            // A request's records enter the queue as one unit, so a lone large request splits into full uploads.
            if (!queue.Requests.Writer.TryWrite(pending))
            {
                foreach (var record in pending)
                    record.Complete(new RecordResult(RecordOutcome.Unavailable, "shutting down"));
            }
        }
        else
        {
            for (var start = 0; start < pending.Length; start += CleverTapClient.MaxRecordsPerUpload)
            {
                var chunk = pending.AsSpan(start, Math.Min(CleverTapClient.MaxRecordsPerUpload, pending.Length - start)).ToArray();
                _uploadsInFlight.Track(UploadWhenSlotFreeAsync(account, queue, chunk));
            }
        }
        return Array.ConvertAll(pending, record => record.Outcome);
    }

    private AccountQueue StartQueue(CleverTapAccount account)
    {
        var queue = new AccountQueue(account.MaxConcurrentUploads);
        if (_coalesce)
            queue.Drain = Task.Run(() => DrainAsync(account, queue, _stopping.Token));
        return queue;
    }

    private async Task DrainAsync(CleverTapAccount account, AccountQueue queue, CancellationToken stopping)
    {
        var reader = queue.Requests.Reader;
        // What is left of a request that did not fit into the previous upload.
        var carry = ArraySegment<PendingRecord>.Empty;
        try
        {
            while (carry.Count > 0 || await reader.WaitToReadAsync(stopping))
            {
                await queue.Slots.WaitAsync(stopping);
                var batch = new List<PendingRecord>();
                var now = _timeProvider.GetUtcNow();
                while (batch.Count < CleverTapClient.MaxRecordsPerUpload)
                {
                    if (carry.Count == 0)
                    {
                        if (!reader.TryRead(out var next))
                            break;
                        carry = next;
                    }
                    var take = Math.Min(carry.Count, CleverTapClient.MaxRecordsPerUpload - batch.Count);
                    foreach (var record in carry.Slice(0, take))
                    {
                        // Its request has answered (or is about to): sending it now would deliver an event Segment was told to retry.
                        if (record.Deadline - now < MinimumUsefulTime)
                            record.Complete(new RecordResult(RecordOutcome.Unavailable, "delivery deadline reached before an upload slot was free"));
                        else
                            batch.Add(record);
                    }
                    carry = carry.Slice(take);
                }
                if (batch.Count == 0)
                {
                    queue.Slots.Release();
                    continue;
                }
                // Serialising a full upload takes a few milliseconds: off the drain loop, so the next slot fills at once.
                _uploadsInFlight.Track(Task.Run(() => UploadAndReleaseAsync(account, queue, batch), CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        foreach (var left in carry)
            left.Complete(new RecordResult(RecordOutcome.Unavailable, "shutting down"));
        while (reader.TryRead(out var request))
        {
            foreach (var left in request)
                left.Complete(new RecordResult(RecordOutcome.Unavailable, "shutting down"));
        }
    }

    private async Task UploadWhenSlotFreeAsync(CleverTapAccount account, AccountQueue queue, PendingRecord[] chunk)
    {
        var wait = chunk[0].Deadline - _timeProvider.GetUtcNow() - MinimumUsefulTime;
        bool acquired;
        try
        {
            acquired = wait > TimeSpan.Zero && await queue.Slots.WaitAsync(wait, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            acquired = false;
        }
        if (!acquired)
        {
            foreach (var record in chunk)
                record.Complete(new RecordResult(RecordOutcome.Unavailable, "delivery deadline reached before an upload slot was free"));
            return;
        }
        await UploadAndReleaseAsync(account, queue, chunk);
    }

    private async Task UploadAndReleaseAsync(CleverTapAccount account, AccountQueue queue, IReadOnlyList<PendingRecord> batch)
    {
        try
        {
            var deadline = batch.Max(record => record.Deadline);
            using var timeout = new CancellationTokenSource(Positive(deadline - _timeProvider.GetUtcNow()), _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _stopping.Token);
            var records = batch.Select(record => record.Record).ToArray();
            RecordResult[] results;
            using (var span = BridgeTelemetry.Activities.StartActivity("CleverTap upload", ActivityKind.Client))
            {
                span?.SetTag(BridgeTelemetry.AccountTag, account.Name);
                span?.SetTag("clevertap.records", records.Length);
                try
                {
                    results = await _upload(account, records, deadline, linked.Token);
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    LogUploadCrashed(_logger, exception, account.Name);
                    results = Enumerable.Repeat(new RecordResult(RecordOutcome.Unavailable, "upload failed unexpectedly"), batch.Count).ToArray();
                }
                var outcome = UploadOutcomeName(results);
                span?.SetTag(BridgeTelemetry.OutcomeTag, outcome);
                RecordUpload(account, outcome, results);
            }
            for (var i = 0; i < batch.Count; i++)
                batch[i].Complete(results[i]);
        }
        finally
        {
            queue.Slots.Release();
        }
    }

    /// <summary>One word for an upload's result as a whole: <c>delivered</c>, <c>partial</c> (some records refused for good), <c>rejected</c>, <c>throttled</c> or <c>unavailable</c>.</summary>
    internal static string UploadOutcomeName(IReadOnlyList<RecordResult> results)
    {
        var delivered = results.Count(result => result.Outcome == RecordOutcome.Delivered);
        if (delivered == results.Count)
            return "delivered";
        if (results.Any(result => result.Outcome == RecordOutcome.Throttled))
            return "throttled";
        if (results.Any(result => result.Outcome == RecordOutcome.Unavailable))
            return "unavailable";
        return delivered > 0 ? "partial" : "rejected";
    }

    private void RecordUpload(CleverTapAccount account, string outcome, RecordResult[] results)
    {
        if (_telemetry is null)
            return;
        if (outcome is "delivered" or "partial")
        {
            _telemetry.UploadSucceeded(account.Name, outcome, results.Length);
            return;
        }
        if (outcome == "throttled")
            _telemetry.Throttled(account.Name);
        var reason = results.FirstOrDefault(result => result.Outcome != RecordOutcome.Delivered).Reason ?? outcome;
        _telemetry.UploadFailed(account.Name, outcome, results.Length, reason);
    }

    private static TimeSpan Positive(TimeSpan value) => value > TimeSpan.Zero ? value : TimeSpan.FromMilliseconds(1);

    public async ValueTask DisposeAsync()
    {
        // The container disposes it once per registration (the class and IRecordUploader).
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        await _stopping.CancelAsync();
        foreach (var queue in _queues.Values.Where(lazy => lazy.IsValueCreated).Select(lazy => lazy.Value))
        {
            queue.Requests.Writer.TryComplete();
            if (queue.Drain is { } drain)
                await drain;
        }
        await _uploadsInFlight.WhenAllEndedAsync();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Upload for account {Account} failed unexpectedly")]
    private static partial void LogUploadCrashed(ILogger logger, Exception exception, string account);

    private sealed class AccountQueue(int maxConcurrentUploads)
    {
        /// <summary>One entry per request: its records, in order.</summary>
        public Channel<PendingRecord[]> Requests { get; } = Channel.CreateUnbounded<PendingRecord[]>(new UnboundedChannelOptions { SingleReader = true });

        public SemaphoreSlim Slots { get; } = new(maxConcurrentUploads, maxConcurrentUploads);

        public Task? Drain { get; set; }
    }

    private sealed class PendingRecord(UploadRecord record, DateTimeOffset deadline)
    {
        private readonly TaskCompletionSource<RecordResult> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public UploadRecord Record { get; } = record;

        public DateTimeOffset Deadline { get; } = deadline;

        public Task<RecordResult> Outcome => _outcome.Task;

        public void Complete(RecordResult result) => _outcome.TrySetResult(result);
    }
}
