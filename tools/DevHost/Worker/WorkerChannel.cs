using System.Collections.Concurrent;
using System.Threading.Channels;
using CleverTapSegment.DevHost.Rpc;
using Grpc.Core;
using GrpcException = Grpc.Core.RpcException;

namespace CleverTapSegment.DevHost.Worker;

/// <summary>The worker went away (killed, crashed, stream closed) before answering.</summary>
internal sealed class WorkerLostException(string message) : Exception(message);

/// <summary>
/// One worker's event stream. The stream allows one writer at a time, so every outbound message goes through a
/// channel drained by one loop; the worker answers in any order, so replies are matched by request id
/// (init, metadata, load) or invocation id.
/// </summary>
internal sealed class WorkerChannel
{
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationResponse>> _invocations = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Action<RpcLog> _onLog;

    public WorkerChannel(string workerId, Action<RpcLog> onLog)
    {
        WorkerId = workerId;
        _onLog = onLog;
    }

    public string WorkerId { get; }

    /// <summary>Completes when the stream has ended, for whatever reason.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Pumps the stream until the worker closes it or <see cref="Stop"/> is called.</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> inbound, IServerStreamWriter<StreamingMessage> outbound, CancellationToken callCancelled)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(callCancelled, _stop.Token);
        var writing = WriteLoopAsync(outbound, linked.Token);
        try
        {
            while (await inbound.MoveNext(linked.Token))
            {
                Dispatch(inbound.Current);
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or GrpcException or InvalidOperationException)
        {
            // The worker process died or the host is stopping: the stream just ends.
        }
        finally
        {
            Close("the worker's event stream ended");
            await linked.CancelAsync();
            await writing;
        }
    }

    /// <summary>Sends a request and waits for the reply carrying the same request id.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage request, CancellationToken cancellationToken)
    {
        request.RequestId = Guid.NewGuid().ToString();
        var reply = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[request.RequestId] = reply;
        FailIfClosed();
        Send(request);
        try
        {
            return await reply.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            _requests.TryRemove(request.RequestId, out _);
        }
    }

    /// <summary>Sends an invocation and waits for its response; cancelling sends <c>invocation_cancel</c>.</summary>
    public async Task<InvocationResponse> InvokeAsync(InvocationRequest invocation, CancellationToken cancellationToken)
    {
        var response = new TaskCompletionSource<InvocationResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _invocations[invocation.InvocationId] = response;
        FailIfClosed();
        Send(new StreamingMessage { RequestId = Guid.NewGuid().ToString(), InvocationRequest = invocation });
        try
        {
            return await response.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Send(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = invocation.InvocationId } });
            throw;
        }
        finally
        {
            _invocations.TryRemove(invocation.InvocationId, out _);
        }
    }

    public void Send(StreamingMessage message) => _outbound.Writer.TryWrite(message);

    /// <summary>Ends the stream from the host side (shutdown).</summary>
    public void Stop() => _stop.Cancel();

    /// <summary>A request registered after the stream ended would wait forever: fail it (and any other) now.</summary>
    private void FailIfClosed()
    {
        if (_closed.Task.IsCompleted)
        {
            Close("the worker's event stream had ended");
        }
    }

    private async Task WriteLoopAsync(IServerStreamWriter<StreamingMessage> outbound, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _outbound.Reader.ReadAllAsync(cancellationToken))
            {
                await outbound.WriteAsync(message, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or GrpcException or InvalidOperationException)
        {
            // Same as a closed inbound stream: the reader side reports it.
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.RpcLog:
                _onLog(message.RpcLog);
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                if (_invocations.TryGetValue(message.InvocationResponse.InvocationId, out var invocation))
                {
                    invocation.TrySetResult(message.InvocationResponse);
                }
                break;
            default:
                if (message.RequestId is { Length: > 0 } && _requests.TryGetValue(message.RequestId, out var reply))
                {
                    reply.TrySetResult(message);
                }
                break;
        }
    }

    /// <summary>Fails everything still waiting for the worker; the stream is not coming back.</summary>
    private void Close(string reason)
    {
        _closed.TrySetResult();
        _outbound.Writer.TryComplete();
        foreach (var pending in _requests.Values)
        {
            pending.TrySetException(new WorkerLostException($"Worker {WorkerId}: {reason}."));
        }
        foreach (var pending in _invocations.Values)
        {
            pending.TrySetException(new WorkerLostException($"Worker {WorkerId}: {reason}."));
        }
    }
}
