namespace CleverTapSegment.Exports.Runs;

/// <summary>
/// Starts runs: the <c>ExportScheduler</c> body (due exports, stalled items) and the API's "start a new one-time
/// export now" call.
/// </summary>
public sealed class ExportRunStarter
{
    /// <summary>Starts a run for every due export and re-enqueues stalled work items.</summary>
    public Task StartDueRunsAsync(CancellationToken cancellationToken) =>
        throw new NotImplementedException("TEMPORARY (exp-runs): signature published early; the body lands next.");

    /// <summary>Starts the export's run at once when it is due (a new one-time export), without waiting for the timer.</summary>
    public Task StartNowIfDueAsync(string exportId, CancellationToken cancellationToken) =>
        throw new NotImplementedException("TEMPORARY (exp-runs): signature published early; the body lands next.");
}
