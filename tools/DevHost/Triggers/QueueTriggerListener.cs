using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using CleverTapSegment.DevHost.Configuration;
using CleverTapSegment.DevHost.Rpc;
using CleverTapSegment.DevHost.Worker;

namespace CleverTapSegment.DevHost.Triggers;

/// <summary>
/// One queue-trigger function with the host's semantics (azure-sdk-for-net <c>QueueListener</c>/<c>QueueProcessor</c>;
/// https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger#poison-messages):
/// randomized exponential back-off up to <c>maxPollingInterval</c> while idle; <c>batchSize</c> messages fetched and
/// run in parallel, more fetched once in-flight drops to <c>newBatchThreshold</c>; in-flight messages leased
/// (10 minutes) and renewed halfway; delete on success; on failure visible again after <c>visibilityTimeout</c>,
/// or copied raw to <c>&lt;queue&gt;-poison</c> and deleted once <c>DequeueCount &gt;= maxDequeueCount</c>;
/// undecodable (non-base64) messages go straight to poison. No polling while no worker is ready; a message whose
/// worker died mid-invocation is left alone and reappears when its lease runs out, as after a host crash.
/// Storage leases run on real time (the service's clock), so this class uses <see cref="TimeProvider.System"/>.
/// </summary>
internal sealed class QueueTriggerListener(
    string functionName,
    string bindingName,
    string queueName,
    QueueServiceClient queues,
    FunctionInvoker invoker,
    WorkerSupervisor supervisor,
    TriggerMonitor monitor,
    HostQueueOptions options,
    TimeSpan lease,
    ILogger logger)
{
    private static readonly TimeSpan s_minimumPollingInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_releaseTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeProvider s_storageClock = TimeProvider.System;
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly object _gate = new();
    private readonly HashSet<Task> _inFlight = [];
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string QueueName => queueName;

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
                await supervisor.WaitForSessionAsync(stoppingToken);

                var pollNumber = monitor.ReportPollStarting(queueName);
                QueueMessage[] messages;
                try
                {
                    messages = (await queue.ReceiveMessagesAsync(options.BatchSize, lease, stoppingToken)).Value;
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
        var receipt = new MessageLease(message.MessageId, message.PopReceipt, message.NextVisibleOn);
        try
        {
            if (message.DequeueCount > options.MaxDequeueCount)
            {
                // Already over the limit (a crash mid-run left it behind): the host poisons it on receipt.
                await MoveToPoisonAsync(queue, poison, message, receipt, "dequeue count over the limit", stoppingToken);
                return;
            }
            var raw = message.Body.ToString();
            if (!TryDecode(raw, out var text))
            {
                await MoveToPoisonAsync(queue, poison, message, receipt, "not base64 text (messageEncoding is base64)", stoppingToken);
                return;
            }

            FunctionInvocationResult result;
            using (var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                var renewing = RenewLeaseAsync(queue, receipt, renewal.Token);
                result = await invoker.InvokeAsync(functionName, $"New queue message detected on '{queueName}'.",
                    request => Describe(request, message, text, receipt), stoppingToken);
                await renewal.CancelAsync();
                await renewing;
            }

            if (result.Succeeded)
            {
                await queue.DeleteMessageAsync(message.MessageId, receipt.PopReceipt, stoppingToken);
                Report(message, TriggerOutcome.Succeeded);
            }
            else if (result.WorkerLost)
            {
                logger.LogWarning("The worker went away while {FunctionName} ran message {MessageId}; it reappears in {QueueName} when its lease ends ({NextVisible:O})",
                    functionName, message.MessageId, queueName, receipt.NextVisibleOn);
                Report(message, TriggerOutcome.WorkerLost);
            }
            else if (message.DequeueCount >= options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(queue, poison, message, receipt,
                    $"failed on attempt {message.DequeueCount} of {options.MaxDequeueCount}", stoppingToken);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, receipt.PopReceipt, visibilityTimeout: options.VisibilityTimeout, cancellationToken: stoppingToken);
                logger.LogWarning("{FunctionName} failed on message {MessageId} (attempt {DequeueCount} of {MaxDequeueCount}); visible again in {VisibilityTimeout}",
                    functionName, message.MessageId, message.DequeueCount, options.MaxDequeueCount, options.VisibilityTimeout);
                Report(message, TriggerOutcome.Failed);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await ReleaseAsync(queue, receipt);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            // The lease runs out and the message comes back: at-least-once, as with the host.
            logger.LogError("Completing message {MessageId} of {QueueName} failed: {ErrorType}: {Error}; it reappears when its lease ends",
                message.MessageId, queueName, exception.GetType().Name, exception.Message);
        }
    }

    private bool TryDecode(string raw, out string text)
    {
        if (!options.IsBase64)
        {
            text = raw;
            return true;
        }
        var bytes = new byte[raw.Length];
        if (Convert.TryFromBase64String(raw, bytes, out var length))
        {
            try
            {
                text = s_strictUtf8.GetString(bytes, 0, length);
                return true;
            }
            catch (DecoderFallbackException)
            {
                // Base64 of something that is not UTF-8 text.
            }
        }
        text = "";
        return false;
    }

    /// <summary>
    /// The message text as the trigger input and the host's binding data as trigger metadata (the worker binds
    /// parameters like <c>string id</c> or <c>long dequeueCount</c> from it).
    /// </summary>
    private void Describe(InvocationRequest request, QueueMessage message, string text, MessageLease receipt)
    {
        request.InputData.Add(new ParameterBinding { Name = bindingName, Data = new TypedData { String = text } });
        request.TriggerMetadata["QueueTrigger"] = new TypedData { String = text };
        request.TriggerMetadata["Id"] = new TypedData { String = message.MessageId };
        request.TriggerMetadata["PopReceipt"] = new TypedData { String = receipt.PopReceipt };
        // As JSON: the worker's trigger-metadata conversion rejects TypedData.int.
        request.TriggerMetadata["DequeueCount"] = new TypedData { Json = message.DequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        request.TriggerMetadata["InsertionTime"] = Time(message.InsertedOn);
        request.TriggerMetadata["ExpirationTime"] = Time(message.ExpiresOn);
        request.TriggerMetadata["NextVisibleTime"] = Time(receipt.NextVisibleOn);
    }

    private static TypedData Time(DateTimeOffset? time) => new() { Json = JsonSerializer.Serialize(time) };

    private async Task MoveToPoisonAsync(QueueClient queue, QueueClient poison, QueueMessage message, MessageLease receipt, string reason, CancellationToken cancellationToken)
    {
        await poison.SendMessageAsync(message.Body.ToString(), cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, receipt.PopReceipt, cancellationToken);
        logger.LogError("Message {MessageId} moved from {QueueName} to {PoisonQueue}: {Reason}",
            message.MessageId, queueName, poison.Name, reason);
        Report(message, TriggerOutcome.MovedToPoison);
    }

    /// <summary>On shutdown, make the message visible at once for the next run instead of waiting out its lease.</summary>
    private async Task ReleaseAsync(QueueClient queue, MessageLease receipt)
    {
        using var timeout = new CancellationTokenSource(s_releaseTimeout);
        try
        {
            await queue.UpdateMessageAsync(receipt.MessageId, receipt.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: timeout.Token);
        }
        catch (Exception exception)
        {
            // Best effort on the way out: the lease expiring returns the message anyway.
            logger.LogWarning("Releasing message {MessageId} on shutdown failed: {ErrorType}: {Error}", receipt.MessageId, exception.GetType().Name, exception.Message);
        }
    }

    private async Task RenewLeaseAsync(QueueClient queue, MessageLease receipt, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(lease / 2, s_storageClock, cancellationToken);
                var renewed = await queue.UpdateMessageAsync(receipt.MessageId, receipt.PopReceipt, visibilityTimeout: lease, cancellationToken: cancellationToken);
                receipt.PopReceipt = renewed.Value.PopReceipt;
                receipt.NextVisibleOn = renewed.Value.NextVisibleOn;
                logger.LogDebug("Renewed the lease of message {MessageId} of {QueueName} until {NextVisible:O}", receipt.MessageId, queueName, receipt.NextVisibleOn);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Renewing the lease of message {MessageId} failed: {ErrorType}: {Error}", receipt.MessageId, exception.GetType().Name, exception.Message);
        }
    }

    private void Report(QueueMessage message, TriggerOutcome outcome) =>
        monitor.Report(new TriggerInvocation(functionName, queueName, message.MessageId, message.DequeueCount, null, outcome, s_storageClock.GetUtcNow()));

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

    private sealed class MessageLease(string messageId, string popReceipt, DateTimeOffset? nextVisibleOn)
    {
        public string MessageId { get; } = messageId;
        public string PopReceipt { get; set; } = popReceipt;
        public DateTimeOffset? NextVisibleOn { get; set; } = nextVisibleOn;
    }
}
