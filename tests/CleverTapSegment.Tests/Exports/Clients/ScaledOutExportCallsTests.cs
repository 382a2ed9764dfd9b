using Azure.Data.Tables;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Storage;
using CleverTapSegment.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CleverTapSegment.Tests.Exports.Clients;

/// <summary>
/// Two export clients standing for two app instances, sharing one slots table: CleverTap's 3 concurrent export calls
/// per account (https://developer.clevertap.com/docs/api-request-limit) hold across both.
/// </summary>
[Collection("Azurite")]
public sealed class ScaledOutExportCallsTests(AzuriteFixture azurite)
{
    private static readonly DateOnly Day1 = new(2026, 11, 1);

    [Fact]
    public async Task Two_instances_together_make_no_more_than_three_export_calls_per_account_at_once()
    {
        await using var fake = await FakeCleverTapExportApi.StartAsync();
        var table = await azurite.CreateTableAsync("slots");
        await using var first = Instance(fake, table);
        await using var second = Instance(fake, table);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        fake.HoldResponses();

        var calls = new[] { first, second }
            .SelectMany((harness, instance) => Enumerable.Range(0, 4).Select(i =>
                harness.CleverTap.OpenCursorAsync(harness.Account, ExportDataType.Events, $"Event {instance}-{i}", Day1, Day1, 10, timeout.Token)))
            .ToArray();
        await fake.WaitForConcurrentCallsAsync(3, timeout.Token);
        fake.ReleaseResponses();
        var cursors = await Task.WhenAll(calls);

        Assert.Equal(8, cursors.Distinct().Count());
        Assert.Equal(3, fake.MaxConcurrentCallsObserved);
        Assert.Equal(0, fake.TooManyRequestsAnswers);
    }

    // The slots run on the real clock: the harness's clock completes every delay at once, which would turn waiting
    // for a slot into a busy loop against storage.
    private static ExportClientsHarness Instance(FakeCleverTapExportApi fake, TableClient table) => ExportClientsHarness.Create(
        new Dictionary<string, string?> { ["CleverTap:ApiBaseUrl"] = fake.BaseAddress.AbsoluteUri },
        services => services.AddSingleton(new LeasedSlots(table, TimeProvider.System, NullLogger<LeasedSlots>.Instance)));
}
