namespace CleverTapSegment.Storage;

/// <summary>The result of an update: the old pop receipt is dead, use <see cref="PopReceipt"/> from now on.</summary>
public sealed record QueueUpdateReceipt(string PopReceipt, DateTimeOffset NextVisibleOn);
