namespace CleverTapSegment.Storage;

/// <summary>A message seen without dequeuing it: no pop receipt, DequeueCount unchanged.</summary>
public sealed record PeekedQueueMessage(string MessageId, string RawText, long DequeueCount, DateTimeOffset InsertedOn);
