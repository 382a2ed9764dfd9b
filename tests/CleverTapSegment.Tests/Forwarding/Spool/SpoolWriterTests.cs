using System.Collections.Concurrent;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Forwarding.Spool;

namespace CleverTapSegment.Tests.Forwarding.Spool;

/// <summary>Group commit: concurrent requests of one account share queue messages, and each waits for its own.</summary>
public sealed class SpoolWriterTests
{
    private static SpooledRecord Record(string user) =>
        new($"{user}#0", new UploadRecord { Type = UploadRecordType.Event, Identity = user, EventName = "Played", Timestamp = 1_700_000_000 });

    /// <summary>
    /// A writer whose first write per slot waits for <c>release</c>: the requests that arrive meanwhile must pile up
    /// into shared messages.
    /// </summary>
    private static (SpoolWriter Writer, ConcurrentQueue<SpoolMessage> Written, TaskCompletionSource Release) WriterHoldingTheFirstWrites()
    {
        var written = new ConcurrentQueue<SpoolMessage>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writes = 0;
        var writer = new SpoolWriter(async (message, _) =>
        {
            if (Interlocked.Increment(ref writes) <= SpoolWriter.WritesPerAccount)
                await release.Task;
            written.Enqueue(message);
        }, TimeSpan.Zero, TimeProvider.System);
        return (writer, written, release);
    }

    [Fact]
    public async Task Concurrent_requests_of_one_account_share_a_message_written_once_the_first_write_frees_a_slot()
    {
        var (writer, written, release) = WriterHoldingTheFirstWrites();
        await using var _ = writer;

        var first = Enumerable.Range(0, SpoolWriter.WritesPerAccount).Select(i => writer.StoreAsync("default", [Record($"first-{i}")])).ToList();
        var stored = Enumerable.Range(0, 200).Select(i => writer.StoreAsync("default", [Record($"user-{i}")])).ToList();
        Assert.All(stored, task => Assert.False(task.IsCompleted));
        release.SetResult();
        await Task.WhenAll(first.Concat(stored));

        Assert.Equal(SpoolWriter.WritesPerAccount + 200, written.Sum(message => message.Records.Count));
        Assert.True(written.Count < SpoolWriter.WritesPerAccount + 200, $"{written.Count} messages for {SpoolWriter.WritesPerAccount + 200} requests");
        Assert.Equal(written.Count, writer.MessagesWritten);
    }

    [Fact]
    public async Task A_request_is_answered_only_when_the_message_holding_its_records_is_written()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var writer = new SpoolWriter(async (_, _) => await gate.Task, TimeSpan.Zero, TimeProvider.System);

        var stored = writer.StoreAsync("default", [Record("waiting")]);
        await Task.Yield();

        Assert.False(stored.IsCompleted);
        gate.SetResult();
        await stored;
    }

    [Fact]
    public async Task A_failed_write_fails_every_request_in_that_message()
    {
        await using var writer = new SpoolWriter((_, _) => Task.FromException(new InvalidOperationException("storage down")), TimeSpan.Zero, TimeProvider.System);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => writer.StoreAsync("default", [Record("lost")]));

        Assert.Equal("storage down", error.Message);
    }

    [Fact]
    public async Task Accounts_never_share_a_message()
    {
        var written = new ConcurrentQueue<SpoolMessage>();
        await using var writer = new SpoolWriter((message, _) =>
        {
            written.Enqueue(message);
            return Task.CompletedTask;
        }, TimeSpan.FromMilliseconds(20), TimeProvider.System);

        await Task.WhenAll(writer.StoreAsync("default", [Record("a")]), writer.StoreAsync("second", [Record("b")]));

        Assert.All(written, message => Assert.Single(message.Records.Select(record => record.Record.Identity == "a" ? "default" : "second").Distinct()));
        Assert.Equal(["default", "second"], written.Select(message => message.Account).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Messages_never_exceed_one_upload_and_a_large_request_is_split_across_them()
    {
        var (writer, written, release) = WriterHoldingTheFirstWrites();
        await using var _ = writer;

        var blockers = Enumerable.Range(0, SpoolWriter.WritesPerAccount).Select(i => writer.StoreAsync("default", [Record($"b-{i}")])).ToList();
        var big = Enumerable.Range(0, SpoolWriter.MaxRecordsPerMessage + 10).Select(i => Record($"big-{i}")).ToList();
        var requests = new[] { writer.StoreAsync("default", [Record("before")]), writer.StoreAsync("default", big), writer.StoreAsync("default", [Record("after")]) };
        release.SetResult();
        await Task.WhenAll(blockers.Concat(requests));

        Assert.DoesNotContain(written, message => message.Records.Count > SpoolWriter.MaxRecordsPerMessage);
        Assert.Equal(big.Count + SpoolWriter.WritesPerAccount + 2, written.Sum(message => message.Records.Count));
    }
}
