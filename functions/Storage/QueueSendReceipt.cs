namespace CleverTapSegment.Storage;

public sealed record QueueSendReceipt(string MessageId, string PopReceipt, DateTimeOffset NextVisibleOn);
