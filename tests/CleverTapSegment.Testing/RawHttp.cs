using System.Net.Sockets;
using System.Text;

namespace CleverTapSegment.Testing;

/// <summary>What came back on a raw connection: the status line's code (0 when the server closed without answering), headers and body as text.</summary>
public sealed record RawHttpAnswer(int StatusCode, string Head, string Body)
{
    public override string ToString() => StatusCode == 0 ? $"no answer (connection closed: {Head})" : $"{StatusCode}: {Body}";
}

/// <summary>
/// HTTP/1.1 written by hand on a socket, for requests <see cref="HttpClient"/> refuses to send: broken chunked
/// framing, a Content-Length the body never reaches, a body that stalls half-way. One request per connection
/// (<c>Connection: close</c>), so the answer ends where the connection does.
/// </summary>
public static class RawHttp
{
    /// <summary>
    /// Sends <paramref name="head"/> (request line and headers, lines ending in CRLF, without the blank line, which
    /// is added) and <paramref name="body"/>, then waits for the answer, sending nothing more (a body shorter than
    /// announced stalls there), or, when <paramref name="closeAfterBody"/>, shuts the sending side down first: the
    /// server sees the client go, and Kestrel answers no one then (status 0).
    /// </summary>
    public static async Task<RawHttpAnswer> SendAsync(Uri server, string head, ReadOnlyMemory<byte> body, bool closeAfterBody, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.Host, server.Port, cancellationToken);
        var headBytes = Encoding.Latin1.GetBytes(head.TrimEnd('\r', '\n') + "\r\nConnection: close\r\n\r\n");
        try
        {
            await socket.SendAsync(headBytes, SocketFlags.None, cancellationToken);
            if (!body.IsEmpty)
                await socket.SendAsync(body, SocketFlags.None, cancellationToken);
            if (closeAfterBody)
                socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The server may answer and close before reading everything (a refused length): read what it said.
        }
        return await ReadAnswerAsync(socket, cancellationToken);
    }

    /// <summary>A request with a <c>Content-Length</c> header for <paramref name="body"/> (or <paramref name="declaredLength"/>).</summary>
    public static string Head(string method, string target, string host, IEnumerable<string> headers, long? declaredLength = null, bool chunked = false)
    {
        var text = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: {host}\r\n");
        foreach (var header in headers)
            text.Append(header).Append("\r\n");
        if (chunked)
            text.Append("Transfer-Encoding: chunked\r\n");
        if (declaredLength is { } length)
            text.Append("Content-Length: ").Append(length).Append("\r\n");
        return text.ToString();
    }

    private static async Task<RawHttpAnswer> ReadAnswerAsync(Socket socket, CancellationToken cancellationToken)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                    break;
                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException) when (received.Length > 0)
        {
            // Reset after the answer was written: the answer is what counts.
        }
        catch (SocketException exception)
        {
            return new RawHttpAnswer(0, exception.SocketErrorCode.ToString(), "");
        }
        var text = Encoding.UTF8.GetString(received.ToArray());
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (!text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || end < 0)
            return new RawHttpAnswer(0, text, "");
        var status = int.Parse(text.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture);
        return new RawHttpAnswer(status, text[..end], text[(end + 4)..]);
    }
}
