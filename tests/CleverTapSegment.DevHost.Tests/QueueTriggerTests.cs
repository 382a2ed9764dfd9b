using System.Text;
using System.Text.RegularExpressions;

namespace CleverTapSegment.DevHost.Tests;

/// <summary>
/// The sample worker's queue function behind the dev host, against Azurite, with the host's semantics: delete on
/// success, retries until exactly maxDequeueCount then poison, undecodable messages straight to poison, a failed
/// message hidden for visibilityTimeout, a long run kept invisible by lease renewal.
/// </summary>
[Collection("DevHost")]
[Trait("Category", "Slow")]
public sealed partial class QueueTriggerTests(DevHostFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const int MaxDequeueCount = 3;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(120));
    private readonly WorkerLog _log = new();
    private readonly string _queueName = fixture.UniqueQueueName("work");

    private CancellationToken Timeout => _timeout.Token;

    private QueueClient Queue => fixture.Queues.GetQueueClient(_queueName);

    private QueueClient Poison => fixture.RawQueues.GetQueueClient(_queueName + "-poison");

    public void Dispose()
    {
        _log.WriteTo(output);
        _timeout.Dispose();
    }

    [Fact]
    public async Task Each_message_runs_once_with_its_text_and_trigger_metadata_and_is_deleted()
    {
        await using var host = await StartAsync();
        var texts = Enumerable.Range(1, 12).Select(n => $"{{\"n\":{n},\"city\":\"Zürich 🎉\"}}").ToList();
        foreach (var text in texts)
        {
            await Queue.SendMessageAsync(text, Timeout);
        }

        await host.Monitor.WaitForIdleAsync(_queueName, Timeout);

        var received = Received();
        Assert.Equal(texts.Order(StringComparer.Ordinal), received.Select(message => message.Text).Order(StringComparer.Ordinal));
        Assert.All(received, message => Assert.Equal("1", message.DequeueCount));
        Assert.All(received, message => Assert.NotEqual("", message.PopReceipt));
        var outcomes = host.Monitor.Invocations.Where(invocation => invocation.QueueName == _queueName).ToList();
        Assert.All(outcomes, outcome => Assert.Equal(TriggerOutcome.Succeeded, outcome.Outcome));
        Assert.Equal(outcomes.Select(outcome => outcome.MessageId).Order(StringComparer.Ordinal), received.Select(message => message.Id).Order(StringComparer.Ordinal));
        Assert.Empty((await Queue.PeekMessagesAsync(32, Timeout)).Value);
        Assert.Empty((await Poison.PeekMessagesAsync(32, Timeout)).Value);
    }

    [Fact]
    public async Task A_message_that_always_fails_goes_to_poison_after_exactly_max_dequeue_count_attempts()
    {
        await using var host = await StartAsync();
        await Queue.SendMessageAsync("fail", Timeout);

        await host.Monitor.WaitForInvocationAsync(invocation => invocation.QueueName == _queueName && invocation.Outcome == TriggerOutcome.MovedToPoison, Timeout);

        Assert.Equal(["1", "2", "3"], Received().Select(message => message.DequeueCount));
        Assert.Equal(
            [TriggerOutcome.Failed, TriggerOutcome.Failed, TriggerOutcome.MovedToPoison],
            host.Monitor.Invocations.Where(invocation => invocation.QueueName == _queueName).Select(invocation => invocation.Outcome));
        var poisoned = Assert.Single((await Poison.PeekMessagesAsync(32, Timeout)).Value);
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("fail")), poisoned.Body.ToString());
        Assert.Empty((await Queue.PeekMessagesAsync(32, Timeout)).Value);
    }

    [Fact]
    public async Task A_message_that_is_not_base64_goes_straight_to_poison_without_an_invocation()
    {
        await using var host = await StartAsync();
        const string raw = "plain text, not base64 {}";
        await fixture.RawQueues.GetQueueClient(_queueName).SendMessageAsync(raw, Timeout);

        var outcome = await host.Monitor.WaitForInvocationAsync(invocation => invocation.QueueName == _queueName, Timeout);

        Assert.Equal(TriggerOutcome.MovedToPoison, outcome.Outcome);
        Assert.Empty(Received());
        Assert.Equal(raw, Assert.Single((await Poison.PeekMessagesAsync(32, Timeout)).Value).Body.ToString());
    }

    [Fact]
    public async Task A_failed_message_stays_hidden_for_the_visibility_timeout()
    {
        await using var host = await StartAsync(("AzureFunctionsJobHost__extensions__queues__visibilityTimeout", "00:10:00"));
        await Queue.SendMessageAsync("fail", Timeout);

        await host.Monitor.WaitForInvocationAsync(invocation => invocation.QueueName == _queueName && invocation.Outcome == TriggerOutcome.Failed, Timeout);
        await host.Monitor.WaitForIdleAsync(_queueName, Timeout);

        Assert.Single(Received());
        Assert.Empty((await Queue.PeekMessagesAsync(32, Timeout)).Value);
        Assert.Equal(1, (await Queue.GetPropertiesAsync(Timeout)).Value.ApproximateMessagesCount);
        Assert.Empty((await Poison.PeekMessagesAsync(32, Timeout)).Value);
    }

    [Fact]
    public async Task A_run_longer_than_the_lease_keeps_its_message_by_renewing_it()
    {
        var options = Options();
        options.QueueMessageLease = TimeSpan.FromSeconds(3);
        await using var host = await StartAsync(options);
        await Queue.SendMessageAsync("sleep:7000", Timeout);

        var outcome = await host.Monitor.WaitForInvocationAsync(invocation => invocation.QueueName == _queueName, Timeout);
        await host.Monitor.WaitForIdleAsync(_queueName, Timeout);

        Assert.Equal(TriggerOutcome.Succeeded, outcome.Outcome);
        Assert.Single(Received());
        Assert.Single(_log.Messages("Work finished 'sleep:7000'"));
        Assert.Empty((await Queue.PeekMessagesAsync(32, Timeout)).Value);
    }

    private DevHostOptions Options(params (string Name, string Value)[] settings)
    {
        var options = fixture.Options(_log, _queueName);
        options.Settings["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = MaxDequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        options.Settings["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.500";
        options.Settings["AzureWebJobs.StartupTick.Disabled"] = "true";
        foreach (var (name, value) in settings)
        {
            options.Settings[name] = value;
        }
        return options;
    }

    private Task<DevHostServer> StartAsync(params (string Name, string Value)[] settings) => StartAsync(Options(settings));

    private async Task<DevHostServer> StartAsync(DevHostOptions options)
    {
        // The listener creates its queues too, but the test may send before its first poll.
        await Queue.CreateIfNotExistsAsync(cancellationToken: Timeout);
        return await DevHostServer.StartAsync(options, Timeout);
    }

    /// <summary>What the worker's queue function logged it received, in order.</summary>
    private List<ReceivedMessage> Received() =>
        _log.Messages("Work received ").Select(message => ReceivedLine().Match(message)).Select(match =>
            new ReceivedMessage(match.Groups["text"].Value, match.Groups["id"].Value, match.Groups["count"].Value, match.Groups["receipt"].Value)).ToList();

    private sealed record ReceivedMessage(string Text, string Id, string DequeueCount, string PopReceipt);

    [GeneratedRegex("^Work received '(?<text>.*)' id=(?<id>\\S*) dequeueCount=(?<count>\\S*) popReceipt=(?<receipt>.*)$", RegexOptions.Singleline)]
    private static partial Regex ReceivedLine();
}
