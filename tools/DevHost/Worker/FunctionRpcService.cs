using System.Collections.Concurrent;
using CleverTapSegment.DevHost.Rpc;
using Grpc.Core;
using GrpcException = Grpc.Core.RpcException;

namespace CleverTapSegment.DevHost.Worker;

/// <summary>
/// The host side of <c>FunctionRpc.EventStream</c>: the worker dials in, says <c>start_stream</c> with the worker id
/// it was started with, and the stream is handed to the <see cref="WorkerChannel"/> waiting for that id.
/// </summary>
internal sealed class WorkerConnections
{
    private readonly ConcurrentDictionary<string, (Action<RpcLog> OnLog, TaskCompletionSource<WorkerChannel> Connected)> _expected = new(StringComparer.Ordinal);

    /// <summary>Completes when the worker started with <paramref name="workerId"/> has opened its stream.</summary>
    public Task<WorkerChannel> ExpectAsync(string workerId, Action<RpcLog> onLog)
    {
        var connected = new TaskCompletionSource<WorkerChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        _expected[workerId] = (onLog, connected);
        return connected.Task;
    }

    public void Forget(string workerId) => _expected.TryRemove(workerId, out _);

    public async Task AcceptAsync(IAsyncStreamReader<StreamingMessage> inbound, IServerStreamWriter<StreamingMessage> outbound, ServerCallContext context)
    {
        if (!await inbound.MoveNext(context.CancellationToken) || inbound.Current.StartStream is not { } start)
        {
            throw new GrpcException(new Status(StatusCode.InvalidArgument, "The first message must be start_stream."));
        }
        if (!_expected.TryRemove(start.WorkerId, out var expected))
        {
            throw new GrpcException(new Status(StatusCode.NotFound, $"No worker '{start.WorkerId}' was started by this host."));
        }
        var channel = new WorkerChannel(start.WorkerId, expected.OnLog);
        expected.Connected.TrySetResult(channel);
        await channel.RunAsync(inbound, outbound, context.CancellationToken);
    }
}

internal sealed class FunctionRpcService(WorkerConnections connections) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        connections.AcceptAsync(requestStream, responseStream, context);
}
