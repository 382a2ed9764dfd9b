using Azure;

namespace CleverTapSegment.Storage;

/// <summary>An entity: keys, ETag, timestamp and typed properties (string, bool, int, long, double, DateTimeOffset, Guid, byte[]).</summary>
public sealed class TableEntity
{
    private readonly Dictionary<string, object> _properties = new(StringComparer.Ordinal);

    public TableEntity(string partitionKey, string rowKey)
    {
        ArgumentNullException.ThrowIfNull(partitionKey);
        ArgumentNullException.ThrowIfNull(rowKey);
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    public string PartitionKey { get; }
    public string RowKey { get; }
    public ETag ETag { get; set; }
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>Gets or sets a property; setting null removes it. <see cref="DateTime"/> values are stored as UTC <see cref="DateTimeOffset"/>.</summary>
    /// <exception cref="ArgumentException">A reserved name or a type the Table service cannot store.</exception>
    public object? this[string key]
    {
        get => _properties.GetValueOrDefault(key);
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
            if (TableEntityJson.IsSystemProperty(key))
                throw new ArgumentException($"'{key}' is reserved (PartitionKey, RowKey, Timestamp and OData annotations are not properties).", nameof(key));
            if (value is null)
            {
                _properties.Remove(key);
                return;
            }
            _properties[key] = value switch
            {
                string or bool or int or long or double or DateTimeOffset or Guid or byte[] => value,
                DateTime dateTime => new DateTimeOffset(dateTime.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dateTime, DateTimeKind.Utc) : dateTime.ToUniversalTime()),
                _ => throw new ArgumentException(
                    $"Property '{key}' has type {value.GetType().Name}; the Table service stores string, bool, int, long, double, DateTimeOffset, Guid and byte[].", nameof(value)),
            };
        }
    }

    /// <summary>The names of the custom properties (not the keys, ETag or Timestamp).</summary>
    public IEnumerable<string> Keys => _properties.Keys;

    public string? GetString(string key) => this[key] switch
    {
        null => null,
        string text => text,
        var other => throw WrongType(key, other, "string"),
    };

    public long? GetInt64(string key) => this[key] switch
    {
        null => null,
        long number => number,
        int number => number,
        var other => throw WrongType(key, other, "Int64"),
    };

    public int? GetInt32(string key) => this[key] switch
    {
        null => null,
        int number => number,
        long number when number is >= int.MinValue and <= int.MaxValue => (int)number,
        var other => throw WrongType(key, other, "Int32"),
    };

    public double? GetDouble(string key) => this[key] switch
    {
        null => null,
        double number => number,
        // The service infers Int32 for a whole-number JSON value written without an annotation.
        int number => number,
        long number => number,
        var other => throw WrongType(key, other, "Double"),
    };

    public bool? GetBoolean(string key) => this[key] switch
    {
        null => null,
        bool flag => flag,
        var other => throw WrongType(key, other, "Boolean"),
    };

    public DateTimeOffset? GetDateTimeOffset(string key) => this[key] switch
    {
        null => null,
        DateTimeOffset time => time,
        var other => throw WrongType(key, other, "DateTime"),
    };

    public Guid? GetGuid(string key) => this[key] switch
    {
        null => null,
        Guid guid => guid,
        var other => throw WrongType(key, other, "Guid"),
    };

    public byte[]? GetBinary(string key) => this[key] switch
    {
        null => null,
        byte[] bytes => bytes,
        var other => throw WrongType(key, other, "Binary"),
    };

    private static InvalidOperationException WrongType(string key, object value, string expected) =>
        new($"Property '{key}' is {value.GetType().Name}, not {expected}.");
}
