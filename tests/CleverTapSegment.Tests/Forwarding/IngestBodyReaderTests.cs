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

        Assert.Null(read.Refusal);
        Assert.Equal(body, read.Bytes.ToArray());
    }

    [Fact]
    public async Task Announced_length_over_the_limit_is_refused_before_reading()
    {
        var request = Request(new byte[5001], announceLength: true);

        Assert.Equal(413, (await IngestBodyReader.ReadAsync(request, 5000, CancellationToken.None)).Refusal?.StatusCode);
        Assert.Equal(0, request.Body.Position);
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_refused_while_reading() =>
        Assert.Equal(413, (await IngestBodyReader.ReadAsync(Request(new byte[50_000], announceLength: false), 5000, CancellationToken.None)).Refusal?.StatusCode);

    /// <summary>Kestrel's refusals of the body while it is read (a chunk size overflowing 64 bits, the limit, a stall, a cut connection).</summary>
    [Theory]
    [InlineData(400, 400)]
    [InlineData(413, 413)]
    [InlineData(408, 408)]
    [InlineData(0, 400)]
    public async Task Body_the_server_cannot_read_is_the_clients_fault(int kestrelStatus, int expected)
    {
        var context = new DefaultHttpContext();
        Exception fault = kestrelStatus == 0
            ? new IOException("Unexpected end of request content.")
            : new BadHttpRequestException("Bad chunk size data.", kestrelStatus);
        context.Request.Body = new FailingStream(fault);

        var read = await IngestBodyReader.ReadAsync(context.Request, 5000, CancellationToken.None);

        Assert.Equal(expected, read.Refusal?.StatusCode);
    }

    private sealed class FailingStream(Exception fault) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw fault;
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(fault);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
