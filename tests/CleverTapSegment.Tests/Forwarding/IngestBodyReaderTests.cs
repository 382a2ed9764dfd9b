using System.Text;
using CleverTapSegment.Forwarding;
using Microsoft.AspNetCore.Http;

namespace CleverTapSegment.Tests.Forwarding;

public sealed class IngestBodyReaderTests
{
    private static HttpRequest Request(byte[] body, bool announceLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(body);
        if (announceLength)
            context.Request.ContentLength = body.Length;
        return context.Request;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Body_at_the_limit_is_read_whole(bool announceLength)
    {
        var body = Encoding.UTF8.GetBytes(new string('x', 5000));

        var read = await IngestBodyReader.ReadAsync(Request(body, announceLength), 5000, CancellationToken.None);

        Assert.Equal(body, read!.Value.ToArray());
    }

    [Fact]
    public async Task Announced_length_over_the_limit_is_refused_before_reading()
    {
        var request = Request(new byte[5001], announceLength: true);

        Assert.Null(await IngestBodyReader.ReadAsync(request, 5000, CancellationToken.None));
        Assert.Equal(0, request.Body.Position);
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_refused_while_reading() =>
        Assert.Null(await IngestBodyReader.ReadAsync(Request(new byte[50_000], announceLength: false), 5000, CancellationToken.None));
}
