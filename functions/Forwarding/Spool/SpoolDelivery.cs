using System.Text;
using System.Text.Json;
using CleverTapSegment.CleverTap;
using CleverTapSegment.OutgoingCalls;
using CleverTapSegment.Telemetry;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Forwarding.Spool;

/// <summary>
/// Delivers one spool message through the coalescing uploader (shared uploads of up to 1000 records, the account's
/// concurrency slots across instances, <c>partial</c>/<c>fail</c> per record). Every run ends by completing the message
/// it was given, so the host deletes it with the pop receipt it received: what is left to do goes into a new message.
/// <list type="bullet">
/// <item>Delivered records are done.</item>
/// <item>Records CleverTap refuses for good, and messages older than <see cref="IngestOptions.SpoolRetention"/>, go to
/// the <see cref="DeadLetterStore"/> with the reason.</item>
/// <item>Records that could not be delivered yet (503, 429, timeouts) are re-enqueued as a narrower message with the
/// attempt count raised and a growing visibility delay: a new message starts at dequeue count 1, so an outage of days
/// never reaches the host's <c>maxDequeueCount</c> and its poison queue.</item>
/// </list>
/// Before a narrower message is written, the records delivered so far are remembered in the
/// <see cref="DeliveredRecordLog"/>, so if this run dies before the host deletes the original, its rerun skips them.
/// </summary>
public sealed partial class SpoolDelivery(
    SpoolQueue queue,
    IRecordUploader uploader,
    DeliveredRecordLog deliveredLog,
    DeadLetterStore deadLetters,
    CleverTapAccounts accounts,
    IOptions<IngestOptions> options,
    TimeProvider timeProvider,
    BridgeTelemetry telemetry,
    ILogger<SpoolDelivery> logger)
{
    public const string FunctionName = "SpoolDelivery";

    /// <summary>
    /// How long one run waits for its uploads. It also sets the upload's concurrency-slot lease (budget + margin): a
    /// worker that dies holding slots blocks the account's uploads until those leases run out, so keep it short.
    /// </summary>
    internal static readonly TimeSpan UploadBudget = TimeSpan.FromSeconds(30);

    internal const string ExpiredReason = "older than Ingest__SpoolRetentionHours";
    internal const string UnknownConnectionReason = "unknown CleverTap connection";

    public async Task RunAsync(string text, CancellationToken cancellationToken)
    {
        // An unreadable message throws: the host retries it, then moves it to ingest-spool-poison for a person to read.
        var envelope = SpoolMessage.Parse(Encoding.UTF8.GetBytes(text));
        if (await queue.ResolveAsync(envelope, cancellationToken) is not { } message)
            return;
        using var span = BridgeTelemetry.Activities.StartActivity("Spool delivery");
        span?.SetTag(BridgeTelemetry.AccountTag, message.Account);
        span?.SetTag("spool.records", message.Records.Count);
        span?.SetTag("spool.attempt", message.Attempt);

        var now = timeProvider.GetUtcNow();
        telemetry.SpoolAge(now - message.EnqueuedAt);
        if (!TryResolveAccount(message.Account, out var account))
        {
            await DeadLetterAsync(message, UnknownConnectionReason, message.Records, cancellationToken);
        }
        else if (now - message.EnqueuedAt > options.Value.SpoolRetention)
        {
            await DeadLetterAsync(message, ExpiredReason, message.Records, cancellationToken);
        }
        else
        {
            await DeliverAsync(account, message, cancellationToken);
        }
        await queue.DeleteClaimCheckAsync(message, cancellationToken);
    }

    private async Task DeliverAsync(CleverTapAccount account, SpoolMessage message, CancellationToken cancellationToken)
    {
        // Empty unless an earlier run of this message (or a Segment retry in delivered mode) left entries: then costs one lookup.
        var alreadyDelivered = await deliveredLog.FindDeliveredAsync(account.Name, message.Records.Select(record => record.Key).ToList(), cancellationToken);
        var toSend = message.Records.Where(record => !alreadyDelivered.Contains(record.Key)).ToList();
        var deadline = timeProvider.GetUtcNow() + UploadBudget;
        var outcomes = uploader.Submit(account, toSend.Select(record => record.Record).ToList(), deadline);
        await Task.WhenAll(outcomes);

        var delivered = new List<SpooledRecord>();
        var remaining = new List<SpooledRecord>();
        var rejected = new List<(SpooledRecord Record, string Reason)>();
        for (var i = 0; i < toSend.Count; i++)
        {
            var result = outcomes[i].Result;
            if (result.Outcome == RecordOutcome.Delivered)
                delivered.Add(toSend[i]);
            else if (result.IsTransient && !RefusesCredentials(result))
                remaining.Add(toSend[i]);
            else
                rejected.Add((toSend[i], result.Reason ?? "rejected by CleverTap"));
        }
        telemetry.SpoolDelivered(account.Name, delivered.Count, delivered.Count(record => record.StartsEvent),
            timeProvider.GetUtcNow() - message.EnqueuedAt);

        if (delivered.Count > 0 && (remaining.Count > 0 || rejected.Count > 0))
            await deliveredLog.RememberAsync(account.Name, delivered.Select(record => record.Key).ToList(), cancellationToken);
        foreach (var group in rejected.GroupBy(item => item.Reason, StringComparer.Ordinal))
            await DeadLetterAsync(message, group.Key, group.Select(item => item.Record).ToList(), cancellationToken);
        if (remaining.Count > 0)
        {
            var attempt = message.Attempt + 1;
            var delay = options.Value.SpoolRetryDelay(attempt);
            await queue.SendAsync(message with { Attempt = attempt, Records = remaining, Blob = null }, delay, cancellationToken);
            telemetry.SpoolRetried(account.Name, remaining.Count);
            LogRetrying(logger, remaining.Count, account.Name, attempt, delay);
        }
    }

    /// <summary>
    /// The passcode or region is wrong (<see cref="CallAnswer.CredentialsRefused"/> in the shared table). Delivered mode
    /// answers 503 so Segment retries for its four hours; the spool would retry for days without a chance, so the
    /// records wait as dead letters, with the reason, until the settings are fixed and they are replayed.
    /// </summary>
    private static bool RefusesCredentials(RecordResult result) =>
        result.Code is { } code && OutgoingCallRules.Classify(code) == CallAnswer.CredentialsRefused;

    private async Task DeadLetterAsync(SpoolMessage message, string reason, IReadOnlyList<SpooledRecord> records, CancellationToken cancellationToken)
    {
        await deadLetters.AddAsync(message.Account, reason, message.EnqueuedAt, records, cancellationToken);
        telemetry.SpoolDeadLettered(message.Account, reason, records.Count, records.Count(record => record.StartsEvent));
        LogDeadLettered(logger, records.Count, message.Account, BridgeTelemetry.ReasonCategory(reason));
    }

    private bool TryResolveAccount(string name, out CleverTapAccount account)
    {
        if (string.Equals(name, CleverTapAccount.DefaultName, StringComparison.OrdinalIgnoreCase))
        {
            account = accounts.Default;
            return true;
        }
        return accounts.TryGet(name, out account);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} spooled record(s) of {Account} not delivered yet; attempt {Attempt} in {Delay}")]
    private static partial void LogRetrying(ILogger logger, int count, string account, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} spooled record(s) of {Account} dead-lettered: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, int count, string account, string reason);
}
