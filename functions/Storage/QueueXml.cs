using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace CleverTapSegment.Storage;

/// <summary>The Queue service's XML bodies. https://learn.microsoft.com/rest/api/storageservices/get-messages#response-body</summary>
internal static class QueueXml
{
    public static byte[] PutMessageBody(string messageText)
    {
        // XElement escapes the text (&, <, >) so any message round-trips.
        var document = new XElement("QueueMessage", new XElement("MessageText", messageText));
        return Encoding.UTF8.GetBytes(document.ToString(SaveOptions.DisableFormatting));
    }

    public static IEnumerable<XElement> Messages(string body) =>
        XDocument.Parse(body).Root?.Elements("QueueMessage") ?? [];

    public static string Text(XElement message, string name) =>
        message.Element(name)?.Value ?? throw new InvalidOperationException($"The Queue service response has no {name}.");

    public static DateTimeOffset Time(XElement message, string name) => ParseTime(Text(message, name));

    /// <summary>RFC 1123 times, always GMT.</summary>
    public static DateTimeOffset ParseTime(string value) =>
        DateTimeOffset.ParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
