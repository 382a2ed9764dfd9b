using System.Collections.Concurrent;
using System.Threading.Channels;
using CleverTapSegment.Hosting;
using CleverTapSegment.Telemetry;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Forwarding.Spool;

/// <summary>Writes one spool message: the seam the group-commit writer uses, so it can be tested without storage.</summary>
public delegate Task WriteSpoolMessageAsync(SpoolMessage message, CancellationToken cancellationToken);

/// <summary>
/// Group commit of stored-mode requests: per account, the records of every request that arrives while a write slot is
/// taken, or within <see cref="IngestOptions.SpoolCommitWindow"/> of the first, go into one queue message, and each
/// request is answered once the message holding its records is written. 10,000 single-event requests a second then
/// cost a few hundred queue writes, well under a queue's ~2,000 messages/s scale target
/// (https://learn.microsoft.com/azure/storage/queues/scalability-targets).
/// </summary>
public sealed class SpoolWriter : IAsyncDisposable
{
    /// <summary>
    /// Records per message at most: one full upload. A worker killed mid-run resends the whole message's delivered
    /// records when it comes back, so a message no larger than an upload bounds those duplicates.
    /// </summary>
    internal const int MaxRecordsPerMessage = 1000;

    /// <summary>Writes in flight per account: enough to keep storage busy while the next group gathers.</summary>
    internal const int WritesPerAccount = 8;

    private readonly WriteSpoolMessageAsync _write;
    private readonly TimeSpan _window;
    private readonly TimeProvider _timeProvider;
    private readonly BridgeTelemetry? _telemetry;
    private readonly ConcurrentDictionary<string, Lazy<AccountWriter>> _accounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stopping = new();
    private int _messagesWritten;
    private int _disposed;

    internal SpoolWriter(WriteSpoolMessageAsync write, TimeSpan window, TimeProvider timeProvider, BridgeTelemetry? telemetry = null)
    {
        _write = write;
        _window = window;
        _timeProvider = timeProvider;
        _telemetry = telemetry;
    }

    public SpoolWriter(SpoolQueue queue, IOptions<IngestOptions> options, TimeProvider timeProvider, BridgeTelemetry telemetry)
        : this((message, token) => queue.SendAsync(message, null, token), options.Value.SpoolCommitWindow, timeProvider, telemetry)
    {
    }

    /// <summary>Queue messages written so far (the group-commit tests compare it with the requests).</summary>
    internal int MessagesWritten => Volatile.Read(ref _messagesWritten);

    /// <summary>Completes once <paramref name="records"/> are durably in the spool; faults when a write failed.</summary>
    public Task StoreAsync(string account, IReadOnlyList<SpooledRecord> records)
    {
        if (records.Count == 0)
            return Task.CompletedTask;
        var writer = _accounts.GetOrAdd(account, name => new Lazy<AccountWriter>(() => Start(name))).Value;
        var stored = new List<Task>();
        // A large request is split into full messages, written in parallel; it is answered when all are written.
        foreach (var chunk in records.Chunk(MaxRecordsPerMessage))
        {
            var pending = new PendingWrite(chunk);
            if (!writer.Requests.Writer.TryWrite(pending))
                pending.Fail(new InvalidOperationException("The spool is shutting down."));
            stored.Add(pending.Stored);
        }
        return stored.Count == 1 ? stored[0] : Task.WhenAll(stored);
    }

    private AccountWriter Start(string account)
    {
        var writer = new AccountWriter();
        writer.Loop = Task.Run(() => GatherAsync(account, writer, _stopping.Token));
        return writer;
    }

    private async Task GatherAsync(string account, AccountWriter writer, CancellationToken stopping)
    {
        var reader = writer.Requests.Reader;
        PendingWrite? carry = null;
        try
        {
            while (carry is not null || await reader.WaitToReadAsync(stopping))
            {
                await writer.Slots.WaitAsync(stopping);
                // Storage runs on real time whatever clock the app's logic uses.
                if (_window > TimeSpan.Zero)
                    await Task.Delay(_window, TimeProvider.System, stopping);
                var group = new List<PendingWrite>();
                var count = 0;
                while (true)
                {
                    var next = carry;
                    carry = null;
                    if (next is null && !reader.TryRead(out next))
                        break;
                    if (count > 0 && count + next.Records.Count > MaxRecordsPerMessage)
                    {
                        carry = next;
                        break;
                    }
                    group.Add(next);
                    count += next.Records.Count;
                }
                if (group.Count == 0)
                {
                    writer.Slots.Release();
                    continue;
                }
                writer.Writes.Track(WriteAsync(account, writer, group));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        carry?.Fail(new OperationCanceledException("The spool is shutting down."));
        while (reader.TryRead(out var left))
            left.Fail(new OperationCanceledException("The spool is shutting down."));
    }

    private async Task WriteAsync(string account, AccountWriter writer, List<PendingWrite> group)
    {
        try
        {
            var records = group.Count == 1 ? group[0].Records : group.SelectMany(pending => pending.Records).ToList();
            var message = new SpoolMessage(Guid.NewGuid().ToString("N"), account, _timeProvider.GetUtcNow(), 0, records);
            using (var span = BridgeTelemetry.Activities.StartActivity("Spool write"))
            {
                span?.SetTag(BridgeTelemetry.AccountTag, account);
                span?.SetTag("spool.records", records.Count);
                span?.SetTag("spool.requests", group.Count);
                // Not the requests' tokens: one request giving up must not cancel the others' shared write.
                await _write(message, CancellationToken.None);
            }
            Interlocked.Increment(ref _messagesWritten);
            _telemetry?.SpoolStored(account, records.Count);
            foreach (var pending in group)
                pending.Complete();
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            foreach (var pending in group)
                pending.Fail(exception);
        }
        finally
        {
            writer.Slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        // Let what was already gathered be written: those requests are waiting for their answer.
        foreach (var writer in _accounts.Values.Where(lazy => lazy.IsValueCreated).Select(lazy => lazy.Value))
            writer.Requests.Writer.TryComplete();
        await Task.WhenAll(_accounts.Values.Where(lazy => lazy.IsValueCreated).Select(lazy => lazy.Value.Loop!));
        await Task.WhenAll(_accounts.Values.Where(lazy => lazy.IsValueCreated).SelectMany(lazy => lazy.Value.Writes.Running));
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    private sealed class AccountWriter
    {
        public Channel<PendingWrite> Requests { get; } = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });

        public SemaphoreSlim Slots { get; } = new(WritesPerAccount, WritesPerAccount);

        public Task? Loop { get; set; }

        public UnawaitedTasks Writes { get; } = new();
    }

    private sealed class PendingWrite(IReadOnlyList<SpooledRecord> records)
    {
        private readonly TaskCompletionSource _stored = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyList<SpooledRecord> Records { get; } = records;

        public Task Stored => _stored.Task;

        public void Complete() => _stored.TrySetResult();

        public void Fail(Exception exception) => _stored.TrySetException(exception);
    }
}
