using System.Text;
using CleverTapSegment.Hosting;
using CleverTapSegment.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CleverTapSegment.Tests.Hosting;

/// <summary>The standalone queue trigger against a real Azurite, with the host's retry and poison semantics.</summary>
[Collection("Azurite")]
public sealed class QueueRunnerTests(AzuriteFixture azurite) : IDisposable
{
    private const int MaxDequeueCount = 3;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private readonly TemporaryFunctionAppRoot _appRoot = new();
    private readonly InvocationRecorder _recorder = new();
    private readonly string _echoQueue = azurite.UniqueQueueName("echo");
    private readonly string _failQueue = azurite.UniqueQueueName("fail");

    private CancellationToken Timeout => _timeout.Token;

    public void Dispose()
    {
        _appRoot.Dispose();
        _timeout.Dispose();
    }

    [Fact]
    public async Task A_function_that_always_fails_moves_its_message_to_poison_after_exactly_max_dequeue_count_attempts()
    {
        await using var app = await StartAsync();
        const string text = "{\"exportId\":\"exp-1\"}";
        await azurite.QueueServiceClient.GetQueueClient(_failQueue).SendMessageAsync(text, cancellationToken: Timeout);

        await app.Monitor.WaitForInvocationAsync(
            invocation => invocation.QueueName == _failQueue && invocation.Outcome == TriggerOutcome.MovedToPoison, Timeout);

        var attempts = _recorder.Triggers.Cast<QueueTrigger>().ToList();
        Assert.Equal([1L, 2L, 3L], attempts.Select(attempt => attempt.DequeueCount));
        Assert.All(attempts, attempt => Assert.Equal(text, attempt.MessageText));
        Assert.Equal(
            [TriggerOutcome.Failed, TriggerOutcome.Failed, TriggerOutcome.MovedToPoison],
            app.Monitor.Invocations.Where(invocation => invocation.QueueName == _failQueue).Select(invocation => invocation.Outcome));
        var poisoned = Assert.Single((await azurite.RawQueueServiceClient.GetQueueClient(_failQueue + "-poison").PeekMessagesAsync(32, Timeout)).Value);
        Assert.Equal(Base64(text), poisoned.MessageText);
        Assert.Empty((await azurite.QueueServiceClient.GetQueueClient(_failQueue).PeekMessagesAsync(32, Timeout)).Value);
    }

    [Fact]
    public async Task A_function_that_succeeds_gets_each_message_once_and_the_message_is_deleted()
    {
        await using var app = await StartAsync();
        var queue = azurite.QueueServiceClient.GetQueueClient(_echoQueue);
        var texts = Enumerable.Range(1, 12).Select(n => $"{{\"n\":{n},\"city\":\"Zürich 🎉\"}}").ToList();
        foreach (var text in texts)
        {
            await queue.SendMessageAsync(text, cancellationToken: Timeout);
        }

        await app.Monitor.WaitForIdleAsync(_echoQueue, Timeout);

        var received = _recorder.Triggers.Cast<QueueTrigger>().ToList();
        Assert.Equal(texts.Order(StringComparer.Ordinal), received.Select(message => message.MessageText).Order(StringComparer.Ordinal));
        Assert.All(received, message => Assert.Equal(1, message.DequeueCount));
        Assert.All(received, message => Assert.NotNull(message.MessageId));
        Assert.Empty((await queue.PeekMessagesAsync(32, Timeout)).Value);
        Assert.Empty((await azurite.QueueServiceClient.GetQueueClient(_echoQueue + "-poison").PeekMessagesAsync(32, Timeout)).Value);
    }

    [Fact]
    public async Task A_message_that_is_not_base64_goes_straight_to_poison_without_an_invocation()
    {
        await using var app = await StartAsync();
        const string raw = "plain text, not base64 {}";
        await azurite.RawQueueServiceClient.GetQueueClient(_echoQueue).SendMessageAsync(raw, Timeout);

        var outcome = await app.Monitor.WaitForInvocationAsync(invocation => invocation.QueueName == _echoQueue, Timeout);

        Assert.Equal(TriggerOutcome.MovedToPoison, outcome.Outcome);
        Assert.Empty(_recorder.Triggers);
        var poisoned = Assert.Single((await azurite.RawQueueServiceClient.GetQueueClient(_echoQueue + "-poison").PeekMessagesAsync(32, Timeout)).Value);
        Assert.Equal(raw, poisoned.MessageText);
    }

    [Fact]
    public async Task Waiting_for_idle_on_an_empty_queue_completes()
    {
        await using var app = await StartAsync();

        await app.Monitor.WaitForIdleAsync(_echoQueue, Timeout);

        Assert.Contains(_echoQueue, app.Monitor.Queues);
        Assert.Empty(_recorder.Triggers);
    }

    private async Task<StandaloneApp> StartAsync()
    {
        // The runner creates its queues, but the test sends before the first poll.
        await azurite.QueueServiceClient.GetQueueClient(_echoQueue).CreateIfNotExistsAsync(cancellationToken: Timeout);
        await azurite.QueueServiceClient.GetQueueClient(_failQueue).CreateIfNotExistsAsync(cancellationToken: Timeout);
        _appRoot.AddQueue("EchoWorker", "message", "%Test__EchoQueue%");
        _appRoot.AddQueue("FailingWorker", "item", _failQueue);
        var options = new StandaloneAppOptions
        {
            FunctionAppRoot = _appRoot.Path,
            Settings =
            {
                ["AzureWebJobsStorage"] = azurite.ConnectionString,
                ["Test__EchoQueue"] = _echoQueue,
                ["AzureFunctionsJobHost__extensions__queues__visibilityTimeout"] = "00:00:00",
                ["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:00.500",
                ["AzureFunctionsJobHost__extensions__queues__maxDequeueCount"] = MaxDequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["AzureFunctionsJobHost__extensions__queues__batchSize"] = "4",
            },
            ConfigureServices = services =>
            {
                services.AddSingleton(_recorder);
                services.AddQueueTriggeredFunction<RecordingQueueFunction>("EchoWorker");
                services.AddQueueTriggeredFunction<FailingQueueFunction>("FailingWorker");
            },
        };
        return await StandaloneApp.StartAsync(options);
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
