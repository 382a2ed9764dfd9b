namespace CleverTapSegment.Exports.Runs;

/// <summary>
/// A queue message as <see cref="ExportWorker"/> sees it: the text (already base64-decoded by the host) and the
/// metadata the host passes with it (https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue-trigger#message-metadata).
/// </summary>
public sealed record QueueTrigger(string MessageText, string? MessageId, long DequeueCount, DateTimeOffset? InsertionTime);

/// <summary>The timer's schedule status as the host reports it; <see cref="LastRun"/>/<see cref="NextRun"/> may be unknown.</summary>
public sealed record TimerTrigger(bool IsPastDue, DateTimeOffset? LastRun, DateTimeOffset? NextRun);
