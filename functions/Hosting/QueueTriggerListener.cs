using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace CleverTapSegment.Hosting;

/// <summary>
/// One queue-trigger function in standalone mode, with the host's semantics (azure-sdk-for-net
/// <c>QueueListener</c>/<c>QueueProcessor</c>; https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger#poison-messages):
/// randomized exponential back-off up to <c>maxPollingInterval</c> while idle; <c>batchSize</c> messages fetched and
/// run in parallel, more fetched once in-flight drops to <c>newBatchThreshold</c>; in-flight messages leased for
/// 10 minutes and renewed halfway; delete on success; on failure visible again after <c>visibilityTimeout</c>,
/// or copied raw to <c>&lt;queue&gt;-poison</c> and deleted once <c>DequeueCount &gt;= maxDequeueCount</c>;
/// undecodable (non-base64) messages go straight to poison.
/// Storage leases run on real time (the service's clock), so this class uses <see cref="TimeProvider.System"/>.
/// <paramref name="queues"/> must not decode (<see cref="QueueMessageEncoding.None"/>): the listener decodes itself,
/// so an undecodable message can be poisoned and copied unchanged.
/// </summary>
internal sealed class QueueTriggerListener(
    string functionName,
    string bindingName,
    string queueName,
    QueueServiceClient queues,
    FunctionDispatcher dispatcher,
    TriggerRunnerMonitor monitor,
    HostQueueOptions options,
    TimeSpan functionTimeout,
    ILogger<QueueTriggerListener> logger)
{
    private static readonly TimeSpan s_lease = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan s_minimumPollingInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_releaseTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeProvider s_storageClock = TimeProvider.System;
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly object _gate = new();
    private readonly HashSet<Task> _inFlight = [];
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Ends the current back-off wait so the next poll happens now.</summary>
    public void Wake()
    {
        lock (_gate)
        {
            _wake.TrySetResult();
        }
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var queue = queues.GetQueueClient(queueName);
        var poison = queues.GetQueueClient(queueName + "-poison");
        var idleDelay = s_minimumPollingInterval;
        try
        {
            await EnsureQueuesAsync(queue, poison, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var wake = ArmWake();
                if (InFlightCount > options.EffectiveNewBatchThreshold)
                {
                    await wake.WaitAsync(stoppingToken);
                    continue;
                }

                var pollNumber = monitor.ReportPollStarting(queueName);
                QueueMessage[] messages;
                try
                {
                    messages = (await queue.ReceiveMessagesAsync(options.BatchSize, s_lease, stoppingToken)).Value;
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    // Whatever the transport throws (timeouts, exhausted retries), the listener must outlive it.
                    logger.LogWarning("Polling queue {QueueName} failed: {ErrorType}: {Error}; retrying in {Delay}",
                        queueName, exception.GetType().Name, exception.Message, options.MaxPollingInterval);
                    await WaitAsync(wake, options.MaxPollingInterval, stoppingToken);
                    continue;
                }

                if (messages.Length == 0)
                {
                    monitor.ReportPollResult(queueName, pollNumber, idle: InFlightCount == 0);
                    await WaitAsync(wake, idleDelay, stoppingToken);
                    idleDelay = NextBackOff(idleDelay);
                    continue;
                }

                idleDelay = s_minimumPollingInterval;
                foreach (var message in messages)
                {
                    Track(ProcessAsync(queue, poison, message, stoppingToken));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; in-flight invocations see the same token and release their messages.
        }
        Task[] remaining;
        lock (_gate)
        {
            remaining = [.. _inFlight];
        }
        await Task.WhenAll(remaining);
    }

    private int InFlightCount
    {
        get { lock (_gate) return _inFlight.Count; }
    }

    private Task ArmWake()
    {
        lock (_gate)
        {
            if (_wake.Task.IsCompleted)
            {
                _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            return _wake.Task;
        }
    }

    private void Track(Task invocation)
    {
        lock (_gate)
        {
            _inFlight.Add(invocation);
        }
        invocation.ContinueWith(completed =>
        {
            lock (_gate)
            {
                _inFlight.Remove(completed);
            }
            Wake();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task EnsureQueuesAsync(QueueClient queue, QueueClient poison, CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                await poison.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                return;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Creating queue {QueueName} failed: {ErrorType}: {Error}; retrying in {Delay}",
                    queueName, exception.GetType().Name, exception.Message, options.MaxPollingInterval);
                await Task.Delay(options.MaxPollingInterval, s_storageClock, stoppingToken);
            }
        }
    }

    private async Task ProcessAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stoppingToken)
    {
        // Let the poll loop go on fetching while this message runs.
        await Task.Yield();
        var lease = new MessageLease(message.MessageId, message.PopReceipt);
        try
        {
            if (message.DequeueCount > options.MaxDequeueCount)
            {
                // Already over the limit (a crash mid-run left it behind): the host poisons it on receipt.
                await MoveToPoisonAsync(queue, poison, message, lease, "dequeue count over the limit", stoppingToken);
                return;
            }
            string text;
            if (!options.IsBase64)
            {
                text = message.MessageText;
            }
            else if (!TryDecodeBase64Text(message.MessageText, out text))
            {
                await MoveToPoisonAsync(queue, poison, message, lease, "not base64 text (messageEncoding is base64)", stoppingToken);
                return;
            }

            FunctionInvocationResult result;
            using (var invocation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            using (var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                invocation.CancelAfter(functionTimeout);
                var renewing = RenewLeaseAsync(queue, lease, renewal.Token);
                result = await dispatcher.InvokeAsync(functionName, BuildEnvelope(message, text, lease), invocationId: null, invocation.Token);
                await renewal.CancelAsync();
                await renewing;
            }

            if (result.Succeeded)
            {
                await queue.DeleteMessageAsync(message.MessageId, lease.PopReceipt, stoppingToken);
                Report(message, TriggerOutcome.Succeeded);
            }
            else if (stoppingToken.IsCancellationRequested)
            {
                await ReleaseAsync(queue, lease);
            }
            else if (message.DequeueCount >= options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(queue, poison, message, lease,
                    $"failed on attempt {message.DequeueCount} of {options.MaxDequeueCount}", stoppingToken);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, lease.PopReceipt, visibilityTimeout: options.VisibilityTimeout, cancellationToken: stoppingToken);
                logger.LogWarning("{FunctionName} failed on message {MessageId} (attempt {DequeueCount} of {MaxDequeueCount}); visible again in {VisibilityTimeout}",
                    functionName, message.MessageId, message.DequeueCount, options.MaxDequeueCount, options.VisibilityTimeout);
                Report(message, TriggerOutcome.Failed);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await ReleaseAsync(queue, lease);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            // The lease runs out and the message comes back: at-least-once, as with the host.
            logger.LogError("Completing message {MessageId} of {QueueName} failed: {ErrorType}: {Error}; it reappears when its lease ends",
                message.MessageId, queueName, exception.GetType().Name, exception.Message);
        }
    }

    private async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, QueueMessage message, MessageLease lease, string reason, CancellationToken cancellationToken)
    {
        await poison.SendMessageAsync(message.MessageText, cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, lease.PopReceipt, cancellationToken);
        logger.LogError("Message {MessageId} moved from {QueueName} to {PoisonQueue}: {Reason}",
            message.MessageId, queueName, poison.Name, reason);
        Report(message, TriggerOutcome.MovedToPoison);
    }

    /// <summary>On shutdown, make the message visible at once for the next run instead of waiting out its lease.</summary>
    private async Task ReleaseAsync(QueueClient queue, MessageLease lease)
    {
        using var timeout = new CancellationTokenSource(s_releaseTimeout);
        try
        {
            await queue.UpdateMessageAsync(lease.MessageId, lease.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: timeout.Token);
        }
        catch (Exception exception)
        {
            // Best effort on the way out: the lease expiring returns the message anyway.
            logger.LogWarning("Releasing message {MessageId} on shutdown failed: {ErrorType}: {Error}", lease.MessageId, exception.GetType().Name, exception.Message);
        }
    }

    private async Task RenewLeaseAsync(QueueClient queue, MessageLease lease, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(s_lease / 2, s_storageClock, cancellationToken);
                var receipt = await queue.UpdateMessageAsync(lease.MessageId, lease.PopReceipt, visibilityTimeout: s_lease, cancellationToken: cancellationToken);
                lease.PopReceipt = receipt.Value.PopReceipt;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Renewing the lease of message {MessageId} failed: {ErrorType}: {Error}", lease.MessageId, exception.GetType().Name, exception.Message);
        }
    }

    private void Report(QueueMessage message, TriggerOutcome outcome) =>
        monitor.Report(new TriggerInvocation(functionName, queueName, message.MessageId, message.DequeueCount, null, outcome, s_storageClock.GetUtcNow()));

    /// <summary>The host's queue-trigger envelope (azure-platform.md §1.4, MS docs example).</summary>
    private System.Text.Json.JsonElement BuildEnvelope(QueueMessage message, string text, MessageLease lease) =>
        EnvelopeWriter.Write(writer =>
        {
            writer.WriteStartObject("Data");
            writer.WriteString(bindingName, text);
            writer.WriteEndObject();
            writer.WriteStartObject("Metadata");
            writer.WriteNumber("DequeueCount", message.DequeueCount);
            writer.WriteString("ExpirationTime", message.ExpiresOn.GetValueOrDefault());
            writer.WriteString("Id", message.MessageId);
            writer.WriteString("InsertionTime", message.InsertedOn.GetValueOrDefault());
            writer.WriteString("NextVisibleTime", message.NextVisibleOn.GetValueOrDefault());
            writer.WriteString("PopReceipt", lease.PopReceipt);
            EnvelopeWriter.WriteSys(writer, functionName, s_storageClock.GetUtcNow());
            writer.WriteEndObject();
        });

    /// <summary>Decodes base64 UTF-8 text, the queue trigger's default encoding; false for anything else (the host poisons it).</summary>
    private static bool TryDecodeBase64Text(string rawText, out string text)
    {
        text = "";
        var buffer = new byte[rawText.Length];
        if (!Convert.TryFromBase64String(rawText, buffer, out var length))
            return false;
        try
        {
            text = s_strictUtf8.GetString(buffer, 0, length);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private TimeSpan NextBackOff(TimeSpan current)
    {
        var doubled = current * 2;
        var jittered = doubled * (0.8 + Random.Shared.NextDouble() * 0.4);
        var maximum = options.MaxPollingInterval;
        return jittered > maximum ? maximum : jittered;
    }

    private static async Task WaitAsync(Task wake, TimeSpan delay, CancellationToken cancellationToken)
    {
        await Task.WhenAny(wake, Task.Delay(delay, s_storageClock, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
    }

    private sealed class MessageLease(string messageId, string popReceipt)
    {
        public string MessageId { get; } = messageId;
        public string PopReceipt { get; set; } = popReceipt;
    }
}
