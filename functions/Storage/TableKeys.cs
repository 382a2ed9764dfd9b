using System.Text;

namespace CleverTapSegment.Storage;

/// <summary>
/// Key and table-name rules, checked before any call so a bad key fails with <see cref="ArgumentException"/>
/// rather than a confusing 400. https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model#characters-disallowed-in-key-fields
/// </summary>
internal static class TableKeys
{
    // Keys are UTF-16 strings of at most 1 KiB.
    private const int MaxKeyBytes = 1024;

    public static void Validate(string key, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(key, parameterName);
        if (Encoding.Unicode.GetByteCount(key) > MaxKeyBytes)
            throw new ArgumentException($"{parameterName} is longer than 1 KiB (512 UTF-16 characters).", parameterName);
        foreach (var c in key)
        {
            if (c is '/' or '\\' or '#' or '?' || c <= '\u001F' || c is >= '\u007F' and <= '\u009F')
                throw new ArgumentException($"{parameterName} contains '{(char.IsControl(c) ? $"U+{(int)c:X4}" : c)}', which the Table service does not allow in keys.", parameterName);
        }
    }

    // https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model#table-names
    public static void ValidateTableName(string tableName)
    {
        ArgumentNullException.ThrowIfNull(tableName);
        if (tableName.Length is < 3 or > 63 || !char.IsAsciiLetter(tableName[0]) || !tableName.All(char.IsAsciiLetterOrDigit))
            throw new ArgumentException($"'{tableName}' is not a table name: 3-63 letters and digits, starting with a letter.", nameof(tableName));
    }

    /// <summary>The entity's address: <c>table(PartitionKey='…',RowKey='…')</c>, quotes doubled then percent-encoded.</summary>
    public static string EntityPath(string tableName, string partitionKey, string rowKey) =>
        $"{tableName}(PartitionKey='{EscapeKey(partitionKey)}',RowKey='{EscapeKey(rowKey)}')";

    private static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));
}
