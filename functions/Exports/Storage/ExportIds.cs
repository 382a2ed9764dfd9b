using System.Security.Cryptography;

namespace CleverTapSegment.Exports.Storage;

/// <summary>
/// Export ids: 19 digits of inverted creation ticks, a dash, and 8 random base32 characters, e.g.
/// <c>2516911712395998071-k2m7q4xa</c>. As a RowKey they sort newest first (Table Storage returns rows in RowKey
/// order), they are URL-safe without escaping, and the random part keeps ids from the same tick distinct.
/// </summary>
public static class ExportIds
{
    private const string Base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private const int RandomLength = 8;

    public static string New(DateTimeOffset createdAt)
    {
        var inverted = DateTimeOffset.MaxValue.UtcTicks - createdAt.UtcTicks;
        Span<char> random = stackalloc char[RandomLength];
        for (var i = 0; i < random.Length; i++)
            random[i] = Base32Alphabet[RandomNumberGenerator.GetInt32(Base32Alphabet.Length)];
        return $"{inverted:D19}-{random}";
    }

    /// <summary>Whether <paramref name="id"/> has the shape of an export id (so a route value can be used as a key).</summary>
    public static bool IsWellFormed(string? id) =>
        id is { Length: 19 + 1 + RandomLength }
        && id.AsSpan(0, 19).IndexOfAnyExceptInRange('0', '9') < 0
        && id[19] == '-'
        && id.AsSpan(20).IndexOfAnyExcept(Base32Alphabet) < 0;
}
