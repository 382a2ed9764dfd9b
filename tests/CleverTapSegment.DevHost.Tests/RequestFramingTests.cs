using System.Text;
using CleverTapSegment.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace CleverTapSegment.DevHost.Tests;

/// <summary>
/// A caller whose body Kestrel refuses while the dev host streams it to the worker (broken chunks, a length it never
/// reaches, a stall): the answer is Kestrel's client error, not the 500 of the invocation the cut body fails nor a
/// 502, and the host logs it once as a bad request, at Information, without a stack trace.
/// </summary>
[Collection("DevHost")]
[Trait("Category", "Slow")]
public sealed class RequestFramingTests(DevHostFixture fixture) : IDisposable
{
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(120));

    private CancellationToken Timeout => _timeout.Token;

    public void Dispose() => _timeout.Dispose();

    private const string Json = """{"hello":"world"}""";

    [Theory]
    [InlineData("ffffffffffffffff\r\n" + Json + "\r\n0\r\n\r\n", 400)] // the chunk size overflows 64 bits
    [InlineData("zz\r\n" + Json + "\r\n0\r\n\r\n", 400)] // not hex
    [InlineData("5\r\n" + Json + "\r\n0\r\n\r\n", 400)] // the chunk runs past its size
    [InlineData("11\r\n" + Json + "\r\n", 408)] // the last chunk never comes: the body stalls
    public async Task A_body_kestrel_refuses_is_answered_with_its_client_error_and_logged_once_as_a_bad_request(string chunkedBody, int expected)
    {
        var hostLog = new FakeLoggerProvider();
        var options = fixture.Options(new WorkerLog(), fixture.UniqueQueueName("framing"));
        options.LoggerFactory = new LoggerFactory([hostLog]);
        await using var host = await DevHostServer.StartAsync(options, Timeout);
        var server = host.BaseAddress;
        var head = RawHttp.Head("POST", "/api/greet/framing", $"{server.Host}:{server.Port}", ["Content-Type: application/json"], chunked: true);

        var answer = await RawHttp.SendAsync(server, head, Encoding.Latin1.GetBytes(chunkedBody), closeAfterBody: false, Timeout);

        Assert.Equal(expected, answer.StatusCode);
        var logged = Assert.Single(hostLog.Collector.GetSnapshot(), entry => entry.Message.StartsWith("Bad request from the client", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, logged.Level);
        Assert.Null(logged.Exception);
        // The forwarding itself reports nothing worse; the sample function, which does not guard its body read, may fail.
        Assert.DoesNotContain(hostLog.Collector.GetSnapshot(), entry => entry.Level >= LogLevel.Warning && entry.Category == "Host.Http");
    }
}
