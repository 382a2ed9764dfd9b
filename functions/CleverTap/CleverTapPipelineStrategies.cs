using CleverTapSegment.Storage;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace CleverTapSegment.CleverTap;

// Two strategies Http.Resilience has no equivalent for, added to the CleverTap pipelines with Polly's AddStrategy:
// a lease on a Table Storage slot shared by every instance (Http.Resilience's rate limiter only knows in-process
// System.Threading.RateLimiting limiters, and releasing a leased slot is an awaited storage write), and reading the
// body inside the attempt (a resilience handler returns at the response headers, so without this the slot and the
// attempt timeout would end before CleverTap has answered in full).

/// <summary>
/// Holds one of the account's concurrency slots, shared by every instance of the app (<see cref="LeasedSlots"/>),
/// around whatever it wraps: CleverTap limits concurrent calls per account, not per instance
/// (https://developer.clevertap.com/docs/api-request-limit). A request without an account runs without a slot.
/// </summary>
internal sealed class LeasedSlotStrategy(
    LeasedSlots slots,
    string scope,
    Func<CleverTapAccount, int> slotCount,
    Func<HttpRequestMessage, TimeSpan> leaseDuration) : ResilienceStrategy<HttpResponseMessage>
{
    protected override async ValueTask<Outcome<HttpResponseMessage>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<HttpResponseMessage>>> callback, ResilienceContext context, TState state)
    {
        var request = context.GetRequestMessage();
        if (CleverTapCall.AccountOf(request) is not { } account)
            return await callback(context, state);

        SlotLease slot;
        try
        {
            slot = await slots.AcquireAsync(scope, account.LimitKey, slotCount(account), leaseDuration(request!), context.CancellationToken);
        }
        catch (Exception exception)
        {
            return Outcome.FromException<HttpResponseMessage>(exception);
        }
        await using (slot)
            return await callback(context, state);
    }
}

/// <summary>
/// Reads the whole response body into a pooled buffer (<see cref="CleverTapBufferedContent"/>) before the attempt
/// ends: CleverTap counts a call as running until it has answered in full, a stalled body is bounded by the attempt
/// timeout like a stalled header, and the retries can read the answer (an export "still in progress").
/// </summary>
internal sealed class ReadBodyInFullStrategy : ResilienceStrategy<HttpResponseMessage>
{
    protected override async ValueTask<Outcome<HttpResponseMessage>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<HttpResponseMessage>>> callback, ResilienceContext context, TState state)
    {
        var outcome = await callback(context, state);
        if (outcome.Result is not { } response || response.Content is CleverTapBufferedContent)
            return outcome;
        try
        {
            var buffered = new CleverTapBufferedContent(await CleverTapResponseBody.ReadAsync(response.Content, context.CancellationToken));
            foreach (var header in response.Content.Headers)
                buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
            response.Content.Dispose();
            response.Content = buffered;
            return outcome;
        }
        catch (Exception exception)
        {
            response.Dispose();
            // A connection lost mid-body is a transport failure like one lost before the headers (HttpClient's own
            // buffering reports it the same way), so the retry rules see it as one.
            return Outcome.FromException<HttpResponseMessage>(exception is IOException
                ? new HttpRequestException("The connection failed while CleverTap's answer was being read.", exception)
                : exception);
        }
    }
}

/// <summary>Options of the two strategies above: Polly's <c>AddStrategy</c> takes (and validates) an options object.</summary>
internal sealed class CleverTapStrategyOptions : ResilienceStrategyOptions
{
    public CleverTapStrategyOptions(string name) => Name = name;
}
