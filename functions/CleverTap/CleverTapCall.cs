namespace CleverTapSegment.CleverTap;

/// <summary>
/// What a CleverTap request tells its resilience pipeline: whose account it is (which pipeline instance, slots and
/// limits it uses) and, for calls made while a Segment request waits, by when the answer is needed.
/// </summary>
internal static class CleverTapCall
{
    private static readonly HttpRequestOptionsKey<CleverTapAccount> AccountOption = new("CleverTap.Account");
    private static readonly HttpRequestOptionsKey<DateTimeOffset> DeadlineOption = new("CleverTap.Deadline");

    /// <summary>Tags <paramref name="request"/> with its account and, if the caller has one, its deadline.</summary>
    public static void Describe(HttpRequestMessage request, CleverTapAccount account, DateTimeOffset? deadline = null)
    {
        request.Options.Set(AccountOption, account);
        if (deadline is { } value && value != DateTimeOffset.MaxValue)
            request.Options.Set(DeadlineOption, value);
    }

    public static CleverTapAccount? AccountOf(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(AccountOption, out var account) ? account : null;

    /// <summary>When the caller must have an answer, or <see cref="DateTimeOffset.MaxValue"/> when it can wait.</summary>
    public static DateTimeOffset DeadlineOf(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(DeadlineOption, out var deadline) ? deadline : DateTimeOffset.MaxValue;

    /// <summary>
    /// The pipeline instance a request runs in: one per account (<see cref="CleverTapAccount.LimitKey"/>), so one
    /// account's outage opens only its own circuit. A request without an account falls back to its host.
    /// </summary>
    public static string PipelineKey(HttpRequestMessage request) => AccountOf(request)?.LimitKey ?? request.RequestUri?.Authority ?? "";
}
