using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using CleverTapSegment.Storage;
using CleverTapSegment.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CleverTapSegment.Tests.Storage;

/// <summary>
/// The distributed semaphore against real Azurite. Each <see cref="LeasedSlots"/> stands for one app instance; they
/// share a table, as scaled-out instances share the storage account.
/// </summary>
[Collection("Azurite")]
public sealed class LeasedSlotsTests(AzuriteFixture azurite)
{
    private const string Scope = "upload";
    private const int Slots = 3;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 5, 0, 0, TimeSpan.Zero);

    private readonly string _account = "ACC-" + Guid.NewGuid().ToString("N")[..8];

    private static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    private LeasedSlots Instance(TableClient table, TimeProvider clock, TimeSpan handoverWindow = default) =>
        new(table, clock, NullLogger<LeasedSlots>.Instance, handoverWindow);

    private async Task<TableEntity> SlotEntityAsync(TableClient table, string slot) =>
        (await table.GetEntityAsync<TableEntity>(LeasedSlots.PartitionKeyFor(Scope, _account), slot)).Value;

    private Task<TableClient> NewTableAsync() => azurite.CreateTableAsync("slots");

    [Fact]
    public async Task Two_instances_never_hold_more_than_the_slot_count_and_a_waiter_proceeds_after_a_release()
    {
        var table = await NewTableAsync();
        var clock = new SignallingClock(new FakeTimeProvider(Start));
        var first = Instance(table, clock);
        var second = Instance(table, clock);

        var held = new List<SlotLease>
        {
            await first.AcquireAsync(Scope, _account, Slots, Lease, CancellationToken.None),
            await second.AcquireAsync(Scope, _account, Slots, Lease, CancellationToken.None),
            await first.AcquireAsync(Scope, _account, Slots, Lease, CancellationToken.None),
        };
        Assert.All(held, lease => Assert.True(lease.IsHeld));
        Assert.Equal(Slots, held.Select(lease => lease.Slot).Distinct().Count());
        Assert.Null(await first.TryAcquireOnceAsync(Scope, _account, Slots, Lease, CancellationToken.None));
        Assert.Null(await second.TryAcquireOnceAsync(Scope, _account, Slots, Lease, CancellationToken.None));

        var waiting = clock.NextTimerCreated();
        var fourth = second.AcquireAsync(Scope, _account, Slots, Lease, CancellationToken.None);
        // It found every slot held and is backing off on the clock, not holding a fourth slot.
        await waiting.WaitAsync(Patience);
        Assert.False(fourth.IsCompleted);

        await held[1].DisposeAsync();
        clock.Inner.Advance(TimeSpan.FromSeconds(1));
        await using var acquired = await fourth.WaitAsync(Patience);

        Assert.True(acquired.IsHeld);
        Assert.Equal(held[1].Slot, acquired.Slot);
        Assert.Null(await first.TryAcquireOnceAsync(Scope, _account, Slots, Lease, CancellationToken.None));
        foreach (var lease in held)
            await lease.DisposeAsync();
    }

    [Fact]
    public async Task Waiting_for_a_slot_ends_at_the_callers_deadline()
    {
        var table = await NewTableAsync();
        var clock = new SignallingClock(new FakeTimeProvider(Start));
        var instance = Instance(table, clock);
        await using var only = await instance.AcquireAsync(Scope, _account, 1, Lease, CancellationToken.None);
        using var deadline = new CancellationTokenSource();

        var waiting = clock.NextTimerCreated();
        var second = instance.AcquireAsync(Scope, _account, 1, Lease, deadline.Token);
        await waiting.WaitAsync(Patience);
        await deadline.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second.WaitAsync(Patience));
    }

    [Fact]
    public async Task An_expired_lease_is_taken_over_and_its_late_release_leaves_the_new_holder_alone()
    {
        var table = await NewTableAsync();
        var clock = new FakeTimeProvider(Start);
        var crashed = Instance(table, clock);
        var survivor = Instance(table, clock);
        var stale = await crashed.AcquireAsync(Scope, _account, 1, Lease, CancellationToken.None);
        Assert.Null(await survivor.TryAcquireOnceAsync(Scope, _account, 1, Lease, CancellationToken.None));

        clock.Advance(Lease + TimeSpan.FromSeconds(1));
        await using var takenOver = await survivor.TryAcquireOnceAsync(Scope, _account, 1, Lease, CancellationToken.None);
        Assert.NotNull(takenOver);
        Assert.True(takenOver.IsHeld);

        // The overrunning holder finishes and gives back a slot that is no longer its own: that must be a no-op.
        await stale.DisposeAsync();

        Assert.Null(await crashed.TryAcquireOnceAsync(Scope, _account, 1, Lease, CancellationToken.None));
        var entity = await table.GetEntityAsync<TableEntity>(LeasedSlots.PartitionKeyFor(Scope, _account), takenOver.Slot!);
        Assert.Equal(clock.GetUtcNow() + Lease, entity.Value.GetDateTimeOffset(LeasedSlots.LeasedUntilProperty));
    }

    [Fact]
    public async Task A_slot_this_instance_freed_is_not_reclaimed_once_another_instance_holds_it()
    {
        var table = await NewTableAsync();
        var clock = new FakeTimeProvider(Start);
        var first = Instance(table, clock);
        var second = Instance(table, clock);
        await (await first.AcquireAsync(Scope, _account, 1, Lease, CancellationToken.None)).DisposeAsync();

        await using var taken = await second.AcquireAsync(Scope, _account, 1, Lease, CancellationToken.None);

        Assert.True(taken.IsHeld);
        Assert.Null(await first.TryAcquireOnceAsync(Scope, _account, 1, Lease, CancellationToken.None));
        await taken.DisposeAsync();
        await using var again = await first.TryAcquireOnceAsync(Scope, _account, 1, Lease, CancellationToken.None);
        Assert.True(again?.IsHeld);
    }

    [Fact]
    public async Task Accounts_and_scopes_have_their_own_slots()
    {
        var table = await NewTableAsync();
        var instance = Instance(table, new FakeTimeProvider(Start));
        await using var upload = await instance.AcquireAsync(Scope, _account, 1, Lease, CancellationToken.None);

        await using var export = await instance.TryAcquireOnceAsync("export", _account, 1, Lease, CancellationToken.None);
        await using var other = await instance.TryAcquireOnceAsync(Scope, _account + "/other?#", 1, Lease, CancellationToken.None);

        Assert.True(export?.IsHeld);
        Assert.True(other?.IsHeld);
    }

    [Fact]
    public async Task Storage_down_proceeds_degraded_without_throwing()
    {
        var unreachable = new Uri($"http://127.0.0.1:{ClosedPort()}/{AzuriteProcess.AccountName}");
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0;
        var table = new TableServiceClient(unreachable, new TableSharedKeyCredential(AzuriteProcess.AccountName, AzuriteProcess.AccountKey), options)
            .GetTableClient(LeasedSlots.DefaultTableName);
        var instance = Instance(table, new FakeTimeProvider(Start));

        await using var first = await instance.AcquireAsync(Scope, _account, 1, Lease, CancellationToken.None);
        await using var second = await instance.AcquireAsync(Scope, _account, 1, Lease, CancellationToken.None);

        Assert.False(first.IsHeld);
        Assert.False(second.IsHeld);
    }

    [Fact]
    public async Task A_slot_finished_with_goes_to_the_next_call_of_the_same_instance_without_a_write_when_its_lease_covers_that_call()
    {
        var table = await NewTableAsync();
        var clock = new FakeTimeProvider(Start);
        var busy = Instance(table, clock, Window);
        var other = Instance(table, clock);
        var first = await busy.AcquireAsync(Scope, _account, 1, Lease, CancellationToken.None);
        var written = await SlotEntityAsync(table, first.Slot!);
        await first.DisposeAsync();

        // Within the window the slot is still leased to the busy instance: nobody else may take it.
        Assert.Null(await other.TryAcquireOnceAsync(Scope, _account, 1, Lease, CancellationToken.None));
        clock.Advance(Window / 2);
        await using var next = await busy.TryAcquireOnceAsync(Scope, _account, 1, Lease / 2, CancellationToken.None);

        Assert.True(next?.IsHeld);
        Assert.Equal(first.Slot, next!.Slot);
        Assert.Equal(written.ETag, (await SlotEntityAsync(table, next.Slot!)).ETag);
    }

    [Fact]
    public async Task A_parked_slot_nobody_takes_is_released_when_the_window_passes()
    {
        var table = await NewTableAsync();
        var clock = new FakeTimeProvider(Start);
        var idle = Instance(table, clock, Window);
        var other = Instance(table, clock);
        await (await idle.AcquireAsync(Scope, _account, 1, Lease, CancellationToken.None)).DisposeAsync();
        Assert.Null(await other.TryAcquireOnceAsync(Scope, _account, 1, Lease, CancellationToken.None));

        clock.Advance(Window);
        await idle.LingeringSettledAsync().WaitAsync(Patience);

        await using var taken = await other.TryAcquireOnceAsync(Scope, _account, 1, Lease, CancellationToken.None);
        Assert.True(taken?.IsHeld);
    }

    [Fact]
    public async Task A_slot_handed_over_the_most_times_in_a_row_goes_back_to_the_table_so_other_instances_get_a_turn()
    {
        var table = await NewTableAsync();
        var clock = new FakeTimeProvider(Start);
        var busy = Instance(table, clock, Window);
        var other = Instance(table, clock);

        for (var call = 0; call <= LeasedSlots.MaxHandovers; call++)
            await (await busy.AcquireAsync(Scope, _account, 1, Lease, CancellationToken.None)).DisposeAsync();

        await using var taken = await other.TryAcquireOnceAsync(Scope, _account, 1, Lease, CancellationToken.None);
        Assert.True(taken?.IsHeld);
    }

    [Fact]
    public async Task A_parked_slot_whose_lease_would_not_cover_the_next_call_is_renewed_for_it()
    {
        var table = await NewTableAsync();
        var clock = new FakeTimeProvider(Start);
        var instance = Instance(table, clock, Window);
        await (await instance.AcquireAsync(Scope, _account, 1, Lease, CancellationToken.None)).DisposeAsync();
        clock.Advance(Window / 2);

        await using var longer = await instance.TryAcquireOnceAsync(Scope, _account, 1, Lease * 2, CancellationToken.None);

        Assert.True(longer?.IsHeld);
        Assert.Equal(clock.GetUtcNow() + Lease * 2, (await SlotEntityAsync(table, longer!.Slot!)).GetDateTimeOffset(LeasedSlots.LeasedUntilProperty));
    }

    [Fact]
    public async Task An_instance_that_stops_gives_back_its_parked_slots_at_once()
    {
        var table = await NewTableAsync();
        var clock = new FakeTimeProvider(Start);
        var stopping = Instance(table, clock, Window);
        var other = Instance(table, clock);
        await (await stopping.AcquireAsync(Scope, _account, 1, Lease, CancellationToken.None)).DisposeAsync();

        await stopping.DisposeAsync();

        await using var taken = await other.TryAcquireOnceAsync(Scope, _account, 1, Lease, CancellationToken.None);
        Assert.True(taken?.IsHeld);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A manual clock that says when code starts waiting on it (a backoff delay creates a timer).</summary>
    private sealed class SignallingClock(FakeTimeProvider inner) : TimeProvider
    {
        private TaskCompletionSource _timerCreated = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public FakeTimeProvider Inner { get; } = inner;

        public Task NextTimerCreated()
        {
            _timerCreated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _timerCreated.Task;
        }

        public override DateTimeOffset GetUtcNow() => Inner.GetUtcNow();

        public override TimeZoneInfo LocalTimeZone => Inner.LocalTimeZone;

        public override long TimestampFrequency => Inner.TimestampFrequency;

        public override long GetTimestamp() => Inner.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = Inner.CreateTimer(callback, state, dueTime, period);
            _timerCreated.TrySetResult();
            return timer;
        }
    }
}
