using System.Text;
using CleverTapSegment.Testing;

namespace CleverTapSegment.Tests.Hostile;

/// <summary>
/// Framing: broken HTTP framing on raw sockets (HttpClient will not send it): truncated, malformed or overflowing
/// chunks, lying or duplicated lengths, bodies over the limit, bodies that stall. Each is the client's fault: a 400,
/// 408 or 413, never a 5xx, on the ingest endpoint (live and dry run) and on the management API.
/// </summary>
public sealed partial class HostileCorpusTests
{
    private static readonly string[] FramingTargets = ["/api/segment", "/api/segment?dryRun=true", "/api/partners"];

    private const string Event = """{"type":"track","event":"Framing","userId":"framing-user"}""";

    /// <summary>
    /// A framing: extra headers, the bytes after the blank line, and the answers that are right for it. With
    /// <c>Close</c> the client goes away after the body; no one is left to answer (0), and nothing may fail.
    /// </summary>
    private sealed record Framing(string[] Headers, byte[] Body, int[] Expected, bool Close = false);

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    private static readonly byte[] OverLimit = new byte[HostileApp.MaxBodyBytes + 1024];

    private static readonly Dictionary<string, Framing> s_framings = new()
    {
        ["chunk size overflowing 64 bits"] = new(["Transfer-Encoding: chunked"], Bytes("ffffffffffffffff\r\n" + Event + "\r\n0\r\n\r\n"), [400]),
        ["chunk size of 17 hex digits"] = new(["Transfer-Encoding: chunked"], Bytes("10000000000000000\r\n" + Event + "\r\n0\r\n\r\n"), [400]),
        ["chunk size not hex"] = new(["Transfer-Encoding: chunked"], Bytes("zz\r\n" + Event + "\r\n0\r\n\r\n"), [400]),
        ["chunk size negative"] = new(["Transfer-Encoding: chunked"], Bytes("-5\r\nhello\r\n0\r\n\r\n"), [400]),
        ["chunk size missing"] = new(["Transfer-Encoding: chunked"], Bytes("\r\n" + Event + "\r\n0\r\n\r\n"), [400]),
        ["chunk data without its CRLF"] = new(["Transfer-Encoding: chunked"], Bytes($"{Event.Length:x}\r\n{Event}XX0\r\n\r\n"), [400]),
        ["chunk longer than its size"] = new(["Transfer-Encoding: chunked"], Bytes($"5\r\n{Event}\r\n0\r\n\r\n"), [400]),
        ["chunk cut short, connection closed"] = new(["Transfer-Encoding: chunked"], Bytes($"{Event.Length + 40:x}\r\n{Event}"), [0, 400], Close: true),
        ["last chunk missing, connection closed"] = new(["Transfer-Encoding: chunked"], Bytes($"{Event.Length:x}\r\n{Event}\r\n"), [0, 400], Close: true),
        ["chunk extension with a control byte"] = new(["Transfer-Encoding: chunked"], Bytes($"{Event.Length:x};\u0001=\u0002\r\n{Event}\r\n0\r\n\r\n"), [200, 400]),
        ["NUL in the chunk size line"] = new(["Transfer-Encoding: chunked"], Bytes($"{Event.Length:x}\0\r\n{Event}\r\n0\r\n\r\n"), [400]),
        ["unknown transfer coding"] = new(["Transfer-Encoding: gzip"], Bytes(Event), [400, 411, 501]),
        ["chunked then a length"] = new(["Transfer-Encoding: chunked", $"Content-Length: {Event.Length}"], Bytes($"{Event.Length:x}\r\n{Event}\r\n0\r\n\r\n"), [200, 400]),
        ["body shorter than its length, connection closed"] = new([$"Content-Length: {Event.Length + 100}"], Bytes(Event), [0, 400], Close: true),
        ["two different lengths"] = new([$"Content-Length: {Event.Length}", $"Content-Length: {Event.Length + 1}"], Bytes(Event), [400]),
        ["negative length"] = new(["Content-Length: -1"], Bytes(Event), [400]),
        ["length not a number"] = new(["Content-Length: 12abc"], Bytes(Event), [400]),
        ["length beyond 64 bits"] = new(["Content-Length: 99999999999999999999999"], Bytes(Event), [400, 413]),
        ["length of 10 GB, little sent"] = new(["Content-Length: 10737418240"], Bytes(Event), [413, 408, 400]),
        ["body over the limit with its length"] = new([$"Content-Length: {OverLimit.Length}"], OverLimit, [413, 400]),
        ["chunked body over the limit"] = new(["Transfer-Encoding: chunked"], Bytes($"{OverLimit.Length:x}\r\n").Concat(OverLimit).Concat(Bytes("\r\n0\r\n\r\n")).ToArray(), [413, 400]),
        ["many tiny chunks over the limit"] = new(["Transfer-Encoding: chunked"], Bytes(string.Concat(Enumerable.Repeat("1\r\n \r\n", HostileApp.MaxBodyBytes + 10)) + "0\r\n\r\n"), [413, 400]),
    };

    /// <summary>Bodies that stop arriving: the server gives up on its minimum data rate (408) or the request (400).</summary>
    private static readonly Dictionary<string, Framing> s_stalls = new()
    {
        ["stalls after a tenth of its length"] = new([$"Content-Length: {Event.Length * 10}"], Bytes(Event), [408, 400]),
        ["chunked body stalls between chunks"] = new(["Transfer-Encoding: chunked"], Bytes($"{Event.Length:x}\r\n{Event}\r\n"), [408, 400]),
    };

    public static TheoryData<string, string> FramingCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var target in FramingTargets)
        {
            foreach (var name in s_framings.Keys)
                data.Add(target, name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(FramingCases))]
    public async Task Broken_framing_is_the_clients_fault(string target, string framing)
    {
        using var timeout = new CancellationTokenSource(Patience);

        var answer = await SendFramingAsync(target, s_framings[framing], timeout.Token);

        hostile.Record("framing", answer.StatusCode);
        Assert.True(s_framings[framing].Expected.Contains(answer.StatusCode), $"{framing} on {target}: {answer}");
    }

    [Fact]
    public async Task Stalled_bodies_are_given_up_on_as_the_clients_fault()
    {
        using var timeout = new CancellationTokenSource(Patience * 2);
        var cases = FramingTargets.SelectMany(target => s_stalls.Select(stall => (Target: target, stall.Key, stall.Value))).ToList();

        // Concurrently: each waits out the server's grace period for a slow body.
        var answers = await Task.WhenAll(cases.Select(async stall => (stall.Target, stall.Key, stall.Value, Answer: await SendFramingAsync(stall.Target, stall.Value, timeout.Token))));
        foreach (var answer in answers)
            hostile.Record("framing (stalled)", answer.Answer.StatusCode);

        Assert.All(answers, answer => Assert.True(answer.Value.Expected.Contains(answer.Answer.StatusCode), $"{answer.Key} on {answer.Target}: {answer.Answer}"));
    }

    private Task<RawHttpAnswer> SendFramingAsync(string target, Framing framing, CancellationToken cancellationToken)
    {
        var headers = new List<string>(framing.Headers) { "Content-Type: application/json" };
        headers.AddRange(target.StartsWith("/api/segment", StringComparison.Ordinal)
            ? [$"Authorization: {hostile.BasicAuthorization}", $"X-Signature: {hostile.Sign(Encoding.UTF8.GetBytes(Event))}"]
            : [$"x-functions-key: {hostile.AdminKey}"]);
        var server = hostile.App.BaseAddress;
        var head = RawHttp.Head("POST", target, $"{server.Host}:{server.Port}", headers);
        return RawHttp.SendAsync(server, head, framing.Body, framing.Close, cancellationToken);
    }
}
