namespace CleverTapSegment.Storage;

/// <summary>An account name and its base64 account key. The key never appears in <see cref="ToString"/>.</summary>
public sealed record StorageSharedKey(string AccountName, string AccountKey)
{
    public override string ToString() => $"StorageSharedKey {{ AccountName = {AccountName} }}";
}
