namespace CleverTapSegment.Storage;

/// <summary>Merge keeps properties the request omits (verb MERGE); Replace drops them (verb PUT).</summary>
public enum TableUpdateMode { Merge, Replace }
