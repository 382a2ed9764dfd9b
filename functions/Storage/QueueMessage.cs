using System.Text;

namespace CleverTapSegment.Storage;

/// <summary>A received message. <see cref="RawText"/> is what the service stores (base64 for our producers).</summary>
public sealed record QueueMessage(string MessageId, string PopReceipt, string RawText, long DequeueCount,
    DateTimeOffset InsertedOn, DateTimeOffset ExpiresOn, DateTimeOffset NextVisibleOn)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes base64 UTF-8 text, the Functions queue trigger's default encoding.</summary>
    /// <returns>False when the text is not base64 of valid UTF-8 (the host moves such messages to poison).</returns>
    public bool TryDecodeText(out string text)
    {
        text = "";
        var buffer = new byte[RawText.Length];
        if (!Convert.TryFromBase64String(RawText, buffer, out var length))
            return false;
        try
        {
            text = StrictUtf8.GetString(buffer, 0, length);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
