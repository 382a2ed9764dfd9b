using System.Collections.Concurrent;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Forwarding;
using Microsoft.Extensions.Logging.Abstractions;

namespace CleverTapSegment.Tests.Forwarding;

public sealed class UploadCoalescerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private static CleverTapAccount Account(int maxConcurrentUploads) =>
        new("default", "acc", "pass", new Uri("http://127.0.0.1:1/"), maxConcurrentUploads, TimeZoneInfo.Utc);

    private static UploadRecord Record(string identity) => new() { Type = UploadRecordType.Event, Identity = identity, EventName = "E" };

    private static DateTimeOffset Deadline => DateTimeOffset.UtcNow.Add(Patience);

    /// <summary>An upload delegate whose calls wait on a gate the test opens, and which records what each upload carried.</summary>
    private sealed class GatedUploads
    {
        private int _inFlight;
        private int _maxInFlight;

        public ConcurrentQueue<string[]> Uploads { get; } = new();

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SemaphoreSlim Started { get; } = new(0);

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public Func<UploadRecord, RecordResult> Outcome { get; set; } = _ => RecordResult.Delivered;

        public async Task<RecordResult[]> UploadAsync(CleverTapAccount account, IReadOnlyList<UploadRecord> records, DateTimeOffset deadline, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _maxInFlight, now);
            Uploads.Enqueue(records.Select(record => record.Identity!).ToArray());
            Started.Release();
            await Gate.Task;
            Interlocked.Decrement(ref _inFlight);
            return records.Select(Outcome).ToArray();
        }

        private static void InterlockedMax(ref int target, int value)
        {
            var seen = Volatile.Read(ref target);
            while (value > seen && Interlocked.CompareExchange(ref target, value, seen) != seen)
                seen = Volatile.Read(ref target);
        }
    }

    private static UploadCoalescer Coalescer(GatedUploads uploads, bool coalesce = true) =>
        new(uploads.UploadAsync, TimeProvider.System, coalesce, NullLogger<UploadCoalescer>.Instance);

    [Fact]
    public async Task Records_from_concurrent_requests_share_an_upload()
    {
        var uploads = new GatedUploads();
        await using var coalescer = Coalescer(uploads);
        var account = Account(maxConcurrentUploads: 1);

        var first = coalescer.Submit(account, [Record("a1")], Deadline);
        Assert.True(await uploads.Started.WaitAsync(Patience)); // the only slot is now busy
        var second = coalescer.Submit(account, [Record("b1"), Record("b2")], Deadline);
        var third = coalescer.Submit(account, [Record("c1")], Deadline);
        uploads.Gate.SetResult();
        await Task.WhenAll(first.Concat(second).Concat(third)).WaitAsync(Patience);

        Assert.Equal(2, uploads.Uploads.Count);
        Assert.Equal(["b1", "b2", "c1"], uploads.Uploads.Last());
    }

    [Fact]
    public async Task No_more_uploads_than_allowed_are_in_flight()
    {
        var uploads = new GatedUploads();
        await using var coalescer = Coalescer(uploads);
        var account = Account(maxConcurrentUploads: 3);

        var submitted = new List<Task<RecordResult>>();
        for (var request = 0; request < 3; request++)
        {
            submitted.AddRange(coalescer.Submit(account, [Record($"r{request}")], Deadline));
            Assert.True(await uploads.Started.WaitAsync(Patience));
        }
        for (var request = 3; request < 40; request++)
            submitted.AddRange(coalescer.Submit(account, [Record($"r{request}")], Deadline));
        uploads.Gate.SetResult();
        await Task.WhenAll(submitted).WaitAsync(Patience);

        Assert.Equal(3, uploads.MaxInFlight);
        Assert.Equal(40, uploads.Uploads.Sum(upload => upload.Length));
        Assert.True(uploads.Uploads.Count < 40, $"{uploads.Uploads.Count} uploads for 40 records");
    }

    [Fact]
    public async Task Each_request_sees_only_its_own_outcomes()
    {
        var uploads = new GatedUploads
        {
            Outcome = record => record.Identity!.StartsWith("bad", StringComparison.Ordinal)
                ? new RecordResult(RecordOutcome.Rejected, "bad record", 509)
                : RecordResult.Delivered,
        };
        await using var coalescer = Coalescer(uploads);
        var account = Account(maxConcurrentUploads: 1);

        var blocker = coalescer.Submit(account, [Record("first")], Deadline);
        Assert.True(await uploads.Started.WaitAsync(Patience));
        var good = coalescer.Submit(account, [Record("g1"), Record("g2")], Deadline);
        var mixed = coalescer.Submit(account, [Record("m1"), Record("bad-m2")], Deadline);
        uploads.Gate.SetResult();
        await Task.WhenAll(blocker.Concat(good).Concat(mixed)).WaitAsync(Patience);

        Assert.All(good, task => Assert.Equal(RecordOutcome.Delivered, task.Result.Outcome));
        Assert.Equal([RecordOutcome.Delivered, RecordOutcome.Rejected], mixed.Select(task => task.Result.Outcome));
        Assert.Single(uploads.Uploads, upload => upload.Contains("g1") && upload.Contains("bad-m2"));
    }

    [Fact]
    public async Task A_lone_request_of_2500_records_becomes_three_full_uploads()
    {
        var uploads = new GatedUploads();
        uploads.Gate.SetResult();
        await using var coalescer = Coalescer(uploads);

        var records = Enumerable.Range(0, 2500).Select(i => Record($"u{i}")).ToList();
        await Task.WhenAll(coalescer.Submit(Account(3), records, Deadline)).WaitAsync(Patience);

        Assert.Equal([500, 1000, 1000], uploads.Uploads.Select(upload => upload.Length).Order());
    }

    [Fact]
    public async Task Without_coalescing_each_request_is_its_own_upload()
    {
        var uploads = new GatedUploads();
        await using var coalescer = Coalescer(uploads, coalesce: false);
        var account = Account(maxConcurrentUploads: 1);

        var first = coalescer.Submit(account, [Record("a1")], Deadline);
        Assert.True(await uploads.Started.WaitAsync(Patience));
        var second = coalescer.Submit(account, [Record("b1")], Deadline);
        var third = coalescer.Submit(account, [Record("c1")], Deadline);
        uploads.Gate.SetResult();
        await Task.WhenAll(first.Concat(second).Concat(third)).WaitAsync(Patience);

        Assert.Equal(3, uploads.Uploads.Count);
        Assert.Equal(1, uploads.MaxInFlight);
    }

    [Fact]
    public async Task Records_whose_deadline_passed_in_the_queue_are_not_sent()
    {
        var uploads = new GatedUploads();
        await using var coalescer = Coalescer(uploads);
        var account = Account(maxConcurrentUploads: 1);

        var blocker = coalescer.Submit(account, [Record("first")], Deadline);
        Assert.True(await uploads.Started.WaitAsync(Patience));
        var late = coalescer.Submit(account, [Record("late")], DateTimeOffset.UtcNow.AddSeconds(-1));
        uploads.Gate.SetResult();
        var result = await late[0].WaitAsync(Patience);
        await Task.WhenAll(blocker).WaitAsync(Patience);

        Assert.Equal(RecordOutcome.Unavailable, result.Outcome);
        Assert.DoesNotContain(uploads.Uploads, upload => upload.Contains("late"));
    }
}
