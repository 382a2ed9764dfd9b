using System.Collections.Concurrent;

namespace CleverTapSegment.Tests.OutgoingCalls;

/// <summary>
/// Stands in for the network below a client's resilience pipeline: answers every request from a script and counts
/// the requests per key (the CleverTap account id header, else the host). Nothing is sent anywhere.
/// </summary>
internal sealed class ScriptedNetwork(Func<HttpRequestMessage, int, HttpResponseMessage> answer) : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, int> _requests = new();

    /// <summary>Requests seen for <paramref name="key"/> so far.</summary>
    public int RequestsFor(string key) => _requests.GetValueOrDefault(key);

    public int Requests => _requests.Values.Sum();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var key = request.Headers.TryGetValues("X-CleverTap-Account-Id", out var ids) ? ids.Single() : request.RequestUri!.Authority;
        var number = _requests.AddOrUpdate(key, 1, static (_, count) => count + 1);
        var response = answer(request, number);
        response.RequestMessage = request;
        return Task.FromResult(response);
    }
}
