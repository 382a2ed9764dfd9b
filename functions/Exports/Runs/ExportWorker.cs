using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Mapping;
using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Storage;
using CleverTapSegment.Hosting;
using CleverTapSegment.Segment;
using CleverTapSegment.Telemetry;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Exports.Runs;

/// <summary>
/// The <c>ExportWorker</c> queue function: processes one work item (one event on one project-local day) through
/// CleverTap's cursor export into Segment batches, checkpointing after every page, until the item is finished or
/// the invocation's time budget is spent (then a continuation message carries on).
/// </summary>
public sealed class ExportWorker(
    RunStore runs,
    ExportStore exports,
    RunCompletion completion,
    WorkQueue workQueue,
    CleverTapExportClient cleverTap,
    SegmentTrackingClient segment,
    CleverTapAccounts accounts,
    IOptions<ExportsOptions> options,
    IOptions<HostQueueOptions> hostQueues,
    TimeProvider time,
    BridgeTelemetry telemetry,
    ILogger<ExportWorker> logger)
{
    public const string FunctionName = "ExportWorker";

    /// <summary>How long to leave CleverTap preparing a cursor that is "still in progress" after the client's own retries.</summary>
    public static readonly TimeSpan InProgressDelay = TimeSpan.FromSeconds(30);

    private const string StoppedReason = "export stopped";

    public async Task RunAsync(QueueTrigger trigger, CancellationToken cancellationToken)
    {
        if (!WorkMessage.TryParse(trigger.MessageText, out var message))
        {
            // Not ours (or corrupted): retrying cannot help, and there is no item to fail.
            logger.LogWarning("ExportWorker dropped a message that is not a work item (queue message {MessageId})", trigger.MessageId);
            return;
        }
        var runId = RunKeys.RunId(message.ExportId, message.RunRowKey);
        var item = await runs.GetItemAsync(runId, message.ItemKey, cancellationToken);
        var run = await runs.GetRunAsync(message.ExportId, message.RunRowKey, cancellationToken);
        if (item is null || run is null || run.Status != RunStatus.Running)
            return; // a copy of a message whose work is already done
        if (item.Status.IsFinal())
        {
            // The item finished, but the invocation that finished it died before closing the run (a crash between the
            // two writes); its message came back when its lease ran out. Closing is idempotent: do it now rather than
            // leave the run RUNNING until the scheduler's next sweep.
            await completion.ItemFinishedAsync(run, cancellationToken);
            return;
        }

        // After host.json's maxDequeueCount attempts the host poisons the message; on the last one the item fails instead.
        var maxDequeueCount = hostQueues.Value.MaxDequeueCount;
        var context = new ItemContext(run, item, trigger.DequeueCount >= maxDequeueCount, time.GetTimestamp());
        try
        {
            await ProcessAsync(context, cancellationToken);
        }
        catch (Exception exception) when (context.IsFinalAttempt && !cancellationToken.IsCancellationRequested)
        {
            // The host would poison this message now; fail the item instead so its run can still close.
            logger.LogError(exception, "Export {ExportId} item {Item} failed on its last attempt", run.ExportId, item.Key);
            item.LastError = WorkItemError.Of(Describe(exception), time.GetUtcNow());
            await FinishAsync(context, WorkItemStatus.Failed, $"gave up after {maxDequeueCount} attempts: {Describe(exception)}", cancellationToken: cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            await RecordRetryAsync(item, exception, cancellationToken);
            throw; // the host redelivers the message, which resumes from the checkpoint
        }
    }

    /// <summary>
    /// Before a failed attempt goes back to the host (which makes the message visible again after host.json's
    /// <c>visibilityTimeout</c>, https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue#host-json),
    /// writes why and when the retry is due on the item, so the export detail explains a RUNNING item that does not
    /// move.
    /// </summary>
    private async Task RecordRetryAsync(WorkItem item, Exception exception, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        item.LastError = WorkItemError.Of(Describe(exception), now);
        item.NextAttemptAt = now + hostQueues.Value.VisibilityTimeout;
        try
        {
            // ETag-guarded like every item write: if a duplicate message owns the item now, its own outcome stands.
            await runs.TryUpdateItemAsync(item, cancellationToken);
        }
        catch (Exception recordFailure) when (recordFailure is not OperationCanceledException)
        {
            // Storage may be what failed; the attempt's own failure is the one to report.
            logger.LogWarning(recordFailure, "Export {ExportId} item {Item}: the failed attempt could not be recorded", item.ExportId, item.Key);
        }
    }

    private async Task ProcessAsync(ItemContext context, CancellationToken cancellationToken)
    {
        var (run, item) = (context.Run, context.Item);
        var export = await exports.GetAsync(run.ExportId, cancellationToken);
        if (ShouldAbandon(export) is { } abandonReason)
        {
            await FinishAsync(context, WorkItemStatus.Skipped, abandonReason, cancellationToken: cancellationToken);
            return;
        }
        var partner = await exports.GetPartnerAsync(run.Partner, cancellationToken);
        if (partner is null)
        {
            await FailExportAsync(context, $"partner '{run.Partner}' does not exist", cancellationToken);
            return;
        }

        // Claim the item: from here every write is ETag-guarded, so a duplicate message racing us loses at its next write.
        item.Status = WorkItemStatus.Running;
        item.StartedAt ??= time.GetUtcNow();
        item.LastCheckpointAt = time.GetUtcNow();
        item.NextAttemptAt = null; // this is the attempt
        if (!await runs.TryUpdateItemAsync(item, cancellationToken))
            return;

        var account = accounts.Default;
        var dataType = run.DataType;
        var destination = new SegmentDestination(partner.WriteKey, partner.Region);
        var batch = new SegmentBatchBuilder(time);
        try
        {
            if (item.Cursor is null)
            {
                item.Cursor = await cleverTap.OpenCursorAsync(account, dataType, item.EventName, item.Day, item.Day, options.Value.PageSize, cancellationToken);
                item.LastCheckpointAt = time.GetUtcNow();
                item.LastError = null; // CleverTap answered: a previous attempt's error is history
                if (!await runs.TryUpdateItemAsync(item, cancellationToken))
                    return;
            }

            while (true)
            {
                // Stop is honoured before every page, so a stopped export reads no further page.
                if (ShouldAbandon(await exports.GetAsync(run.ExportId, cancellationToken)) is { } reason)
                {
                    await FinishAsync(context, WorkItemStatus.Skipped, reason, cancellationToken: cancellationToken);
                    return;
                }

                var pageCounters = new RunCounterBuilder();
                string? nextCursor;
                using (var span = BridgeTelemetry.Activities.StartActivity("Export page"))
                using (var page = await cleverTap.GetPageAsync(account, dataType, item.Cursor!, cancellationToken))
                {
                    span?.SetTag(BridgeTelemetry.AccountTag, account.Name);
                    span?.SetTag(BridgeTelemetry.DataTypeTag, WireNames.DataType.ToWire(dataType));
                    span?.SetTag("export.id", run.ExportId);
                    span?.SetTag("export.event", item.EventName);
                    span?.SetTag("export.day", item.Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
                    span?.SetTag("export.records", page.Records.Count);
                    if (page.NextCursor is not null && page.NextCursor == item.Cursor)
                        throw new CleverTapExportException(ExportFailureKind.Permanent, "CleverTap returned the same cursor again");
                    telemetry.ExportRecords(account.Name, WireNames.DataType.ToWire(dataType), "read", page.Records.Count);
                    await SendPageAsync(page, run, item, partner.IdentitySources, account.TimeZone, destination, batch, pageCounters, cancellationToken);
                    nextCursor = page.NextCursor;
                }

                // Checkpoint: the cursor and the page's counters move together, so a replay neither skips nor double-counts.
                var counted = pageCounters.Build();
                telemetry.ExportRecords(account.Name, WireNames.DataType.ToWire(dataType), "sent", (int)counted.Exported);
                telemetry.ExportRecords(account.Name, WireNames.DataType.ToWire(dataType), "skipped", (int)counted.Skipped);
                telemetry.ExportRecords(account.Name, WireNames.DataType.ToWire(dataType), "failed", (int)counted.Failed);
                item.Counters = item.Counters.Add(counted);
                item.Pages++;
                item.Cursor = nextCursor;
                item.LastCheckpointAt = time.GetUtcNow();
                item.LastError = null;
                if (nextCursor is null)
                {
                    await FinishAsync(context, WorkItemStatus.Done, null, cancellationToken: cancellationToken);
                    return;
                }
                if (!await runs.TryUpdateItemAsync(item, cancellationToken))
                    return;
                if (time.GetElapsedTime(context.StartedTimestamp) >= options.Value.WorkerTimeBudget)
                {
                    await workQueue.SendAsync(item.ToMessage(), cancellationToken: cancellationToken);
                    return;
                }
            }
        }
        catch (CleverTapExportException exception) when (exception.Kind == ExportFailureKind.InProgress)
        {
            // CleverTap is still preparing: come back later rather than hold the invocation.
            item.LastCheckpointAt = time.GetUtcNow() + InProgressDelay;
            item.NextAttemptAt = item.LastCheckpointAt;
            if (await runs.TryUpdateItemAsync(item, cancellationToken))
                await workQueue.SendAsync(item.ToMessage(), InProgressDelay, cancellationToken);
        }
        catch (CleverTapExportException exception) when (exception.Kind == ExportFailureKind.NotAllowed)
        {
            // Notification events are refused by the events API; CleverTap offers them only through its S3/GCS exports
            // (https://posthog.com/docs/data-warehouse/sources/clevertap, "excludes some notification events").
            await FinishAsync(context, WorkItemStatus.Skipped, $"CleverTap: {exception.Message}", cancellationToken: cancellationToken);
        }
        catch (CleverTapExportException exception) when (exception.Kind == ExportFailureKind.Unauthorized)
        {
            await FailExportAsync(context, $"CleverTap refused the credentials ({exception.StatusCode}): check CleverTap__AccountId, CleverTap__Passcode and CleverTap__Region", cancellationToken);
        }
        catch (CleverTapExportException exception) when (exception.Kind == ExportFailureKind.Permanent)
        {
            await FinishAsync(context, WorkItemStatus.Failed, $"CleverTap: {exception.Message}", cancellationToken: cancellationToken);
        }
        catch (SegmentRequestException exception) when (IsWriteKeyRefused(exception))
        {
            // Like a refused passcode: every batch of every item would be refused the same way until someone acts.
            await FailExportAsync(context, $"Segment refused the write key ({exception.StatusCode}): rotate it on partner '{partner.Nickname}' (or check its region)", cancellationToken);
        }
        // Transient CleverTap and Segment failures propagate: the host redelivers the message, which resumes from the
        // checkpoint; the last attempt is turned into a FAILED item by RunAsync.
    }

    /// <summary>Maps one page, keeps the records inside the run window, and sends them in Segment-sized batches.</summary>
    private async Task SendPageAsync(ExportPage page, ExportRun run, WorkItem item, ExportIdentitySources sources, TimeZoneInfo timeZone,
        SegmentDestination destination, SegmentBatchBuilder batch, RunCounterBuilder counters, CancellationToken cancellationToken)
    {
        var profiles = run.DataType == ExportDataType.Profiles;
        foreach (var record in page.Records)
        {
            // The profile's time is not in the record: the run's window end keeps the mapping (and messageId) deterministic.
            var mapped = profiles
                ? ExportRecordMapper.MapProfile(record, sources, timeZone, run.WindowEnd)
                : ExportRecordMapper.MapEvent(record, item.EventName, sources, timeZone);
            // CleverTap exports whole days; a shorter (recurring) window takes only its part of the day.
            if (!profiles && mapped.Timestamp is { } timestamp && (timestamp < run.WindowStart || timestamp >= run.WindowEnd))
                continue;
            if (mapped.Message is null)
            {
                counters.Skip(mapped.SkipReason ?? "not mappable");
                continue;
            }
            var added = batch.TryAdd(mapped.Message);
            if (added == SegmentBatchAddResult.Full)
            {
                await FlushAsync(destination, batch, counters, cancellationToken);
                added = batch.TryAdd(mapped.Message);
            }
            if (added == SegmentBatchAddResult.TooLarge)
                counters.Skip($"larger than Segment's {SegmentBatchBuilder.MaxEventBytes / 1024} KB per event");
        }
        // Everything mapped from this page is delivered before the checkpoint moves past it.
        await FlushAsync(destination, batch, counters, cancellationToken);
    }

    private async Task FlushAsync(SegmentDestination destination, SegmentBatchBuilder batch, RunCounterBuilder counters, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
            return;
        try
        {
            await segment.SendBatchAsync(destination, batch.Build(), cancellationToken);
            counters.Exported += batch.Count;
        }
        catch (SegmentRequestException exception) when (!exception.IsTransient && !IsWriteKeyRefused(exception))
        {
            // A 400 for this body will be a 400 again: count its events as failed and go on with the item.
            logger.LogWarning("Segment refused a batch of {Count} events ({StatusCode}): {Message}", batch.Count, exception.StatusCode, exception.Message);
            counters.Failed += batch.Count;
        }
        finally
        {
            batch.Reset();
        }
    }

    /// <summary>
    /// 401/403 from <c>/v1/batch</c>: Segment does not take this write key (a deleted or rotated key; a key of the other
    /// region's workspace). That is the partner's fault, not the batch's, so it fails the export instead of each batch.
    /// https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/#errors ,
    /// https://segment.com/docs/guides/regional-segment/
    /// </summary>
    private static bool IsWriteKeyRefused(SegmentRequestException exception) => exception.StatusCode is 401 or 403;

    /// <summary>Why a worker must not go on: the export was stopped, failed or deleted meanwhile.</summary>
    private static string? ShouldAbandon(ExportDefinition? export) => export switch
    {
        null => "export deleted",
        { Status: ExportStatus.Stopped } => StoppedReason,
        { Status: ExportStatus.Failed } => $"export failed: {export.StatusReason}",
        _ => null,
    };

    /// <summary>A failure every item of the run would hit: a one-time export fails at once (its other items then stop), and the item fails.</summary>
    private async Task FailExportAsync(ItemContext context, string reason, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var export = await exports.GetAsync(context.Run.ExportId, cancellationToken);
            if (export is null || export.Frequency != ExportFrequency.OneTime || export.Status is not (ExportStatus.Running or ExportStatus.Pending))
                break;
            if (await exports.TryReplaceAsync(export with { Status = ExportStatus.Failed, StatusReason = reason }, cancellationToken))
                break;
        }
        await FinishAsync(context, WorkItemStatus.Failed, reason, failsExport: true, cancellationToken);
    }

    private async Task FinishAsync(ItemContext context, WorkItemStatus status, string? reason, bool failsExport = false, CancellationToken cancellationToken = default)
    {
        var item = context.Item;
        item.Status = status;
        item.Reason = reason;
        item.FailsExport = failsExport;
        item.CompletedAt = time.GetUtcNow();
        item.LastCheckpointAt = item.CompletedAt;
        item.NextAttemptAt = null; // finished: nothing comes next
        if (status == WorkItemStatus.Done)
            item.LastError = null;
        // A lost race means a duplicate message owns the item now; it meets the same end and closes the run.
        if (!await runs.TryUpdateItemAsync(item, cancellationToken))
            return;
        if (status != WorkItemStatus.Done)
            logger.LogInformation("Export {ExportId} item {Event} {Day} {Status}: {Reason}", context.Run.ExportId, item.EventName, item.Day, status.ToWire(), reason);
        await completion.ItemFinishedAsync(context.Run, cancellationToken);
    }

    private static string Describe(Exception exception) => exception switch
    {
        CleverTapExportException cleverTapFailure => $"CleverTap: {cleverTapFailure.Message}",
        SegmentRequestException segmentFailure => $"Segment: {segmentFailure.Message}",
        _ => exception.GetType().Name + ": " + exception.Message,
    };

    private sealed record ItemContext(ExportRun Run, WorkItem Item, bool IsFinalAttempt, long StartedTimestamp);
}
