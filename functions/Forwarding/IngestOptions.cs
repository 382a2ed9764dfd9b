using CleverTapSegment.Forwarding.Mapping;
using Microsoft.Extensions.Options;

namespace CleverTapSegment.Forwarding;

/// <summary>Settings <c>Ingest__*</c> of the Segment destination endpoint.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary><c>snake_case</c> (default, what Segment's classic destination did) or <c>preserve</c>.</summary>
    public string KeyStyle { get; set; } = "snake_case";

    /// <summary>Refuse events that carry only an anonymousId (no userId).</summary>
    public bool RefuseAnonymous { get; set; }

    /// <summary>
    /// Segment webhook shared secrets (<c>Ingest__SharedSecrets__0</c>, <c>__1</c>, … for rotation). When any is set,
    /// every request must carry a matching <c>X-Signature</c>.
    /// </summary>
    public List<string> SharedSecrets { get; set; } = [];

    /// <summary>
    /// Optional Basic auth: when set, every request must send these credentials. The password may stay empty for
    /// Segment's Direct Destination style <c>base64(apiKey + ":")</c>.
    /// </summary>
    public string? BasicAuthUsername { get; set; }

    public string? BasicAuthPassword { get; set; }

    /// <summary>Largest accepted request body; a Webhooks (Actions) batch of 4000 events fits in the default 8 MiB.</summary>
    public long MaxBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>How long a request waits for its records' outcomes; under Segment's 5 s webhook timeout.</summary>
    public double DeadlineSeconds { get; set; } = 4;

    /// <summary>Coalesce concurrent requests into shared uploads (default). <c>false</c> sends one upload per request: the benchmark baseline.</summary>
    public bool Coalesce { get; set; } = true;

    /// <summary>
    /// When <c>SegmentIngest</c> answers 200: <c>delivered</c> (default) once CleverTap accepted the records, or
    /// <c>stored</c> once the mapped records are durably in the <c>ingest-spool</c> queue, delivered afterwards by
    /// the <c>SpoolDelivery</c> function (README.md, "Acknowledgement modes").
    /// </summary>
    public string Acknowledge { get; set; } = AcknowledgeModes.Delivered;

    /// <summary>How long a spooled record may wait for CleverTap before it is dead-lettered (default 7 days).</summary>
    public double SpoolRetentionHours { get; set; } = 168;

    /// <summary>First retry delay of a spool message whose records CleverTap could not take yet; doubles per attempt.</summary>
    public double SpoolRetryDelaySeconds { get; set; } = 30;

    /// <summary>Longest retry delay of a spool message.</summary>
    public double SpoolMaxRetryDelaySeconds { get; set; } = 900;

    /// <summary>How long concurrent requests of one account are gathered into one spool message (group commit).</summary>
    public double SpoolCommitWindowMilliseconds { get; set; } = 5;

    public bool AcknowledgesStored => string.Equals(Acknowledge, AcknowledgeModes.Stored, StringComparison.OrdinalIgnoreCase);

    public TimeSpan SpoolRetention => TimeSpan.FromHours(SpoolRetentionHours);

    public TimeSpan SpoolCommitWindow => TimeSpan.FromMilliseconds(SpoolCommitWindowMilliseconds);

    /// <summary>The visibility delay before attempt <paramref name="attempt"/> (1 = first retry): doubling, capped.</summary>
    public TimeSpan SpoolRetryDelay(int attempt)
    {
        var seconds = SpoolRetryDelaySeconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        return TimeSpan.FromSeconds(Math.Min(seconds, SpoolMaxRetryDelaySeconds));
    }

    public TimeSpan Deadline => TimeSpan.FromSeconds(DeadlineSeconds);

    public bool RequiresBasicAuth => !string.IsNullOrEmpty(BasicAuthUsername);

    public IReadOnlyList<string> ActiveSharedSecrets => SharedSecrets.Where(secret => !string.IsNullOrEmpty(secret)).ToList();

    public MappingSettings MappingSettings => new(KeyStyles.TryParse(KeyStyle, out var style) ? style : Mapping.KeyStyle.SnakeCase, RefuseAnonymous);
}

/// <summary>Fails start-up naming the setting that is invalid.</summary>
internal sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        var failures = new List<string>();
        if (!KeyStyles.TryParse(options.KeyStyle, out _))
            failures.Add($"Ingest__KeyStyle '{options.KeyStyle}' is not valid; use snake_case or preserve.");
        if (options.MaxBodyBytes is < 1024 or > 256L * 1024 * 1024)
            failures.Add("Ingest__MaxBodyBytes must be between 1024 and 268435456.");
        if (options.DeadlineSeconds is < 0.5 or > 60 || double.IsNaN(options.DeadlineSeconds))
            failures.Add("Ingest__DeadlineSeconds must be between 0.5 and 60 (Segment times a webhook out after about 5 s).");
        if (string.IsNullOrEmpty(options.BasicAuthUsername) && !string.IsNullOrEmpty(options.BasicAuthPassword))
            failures.Add("Ingest__BasicAuthUsername is required when Ingest__BasicAuthPassword is set.");
        if (options.BasicAuthUsername?.Contains(':', StringComparison.Ordinal) == true)
            failures.Add("Ingest__BasicAuthUsername must not contain ':'.");
        if (!AcknowledgeModes.IsValid(options.Acknowledge))
            failures.Add($"Ingest__Acknowledge '{options.Acknowledge}' is not valid; use delivered or stored.");
        // A queue message lives at most 7 days unless it never expires; re-enqueued retries carry their first enqueue time.
        if (options.SpoolRetentionHours is < 1 or > 24 * 90 || double.IsNaN(options.SpoolRetentionHours))
            failures.Add("Ingest__SpoolRetentionHours must be between 1 and 2160.");
        // The longest visibility delay a queue message may have is 7 days: https://learn.microsoft.com/rest/api/storageservices/put-message
        if (options.SpoolRetryDelaySeconds is < 0 or > 3600 || double.IsNaN(options.SpoolRetryDelaySeconds))
            failures.Add("Ingest__SpoolRetryDelaySeconds must be between 0 and 3600.");
        if (options.SpoolMaxRetryDelaySeconds < options.SpoolRetryDelaySeconds || options.SpoolMaxRetryDelaySeconds > 86_400 || double.IsNaN(options.SpoolMaxRetryDelaySeconds))
            failures.Add("Ingest__SpoolMaxRetryDelaySeconds must be between Ingest__SpoolRetryDelaySeconds and 86400.");
        if (options.SpoolCommitWindowMilliseconds is < 0 or > 1000 || double.IsNaN(options.SpoolCommitWindowMilliseconds))
            failures.Add("Ingest__SpoolCommitWindowMilliseconds must be between 0 and 1000.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>The values of <see cref="IngestOptions.Acknowledge"/>.</summary>
public static class AcknowledgeModes
{
    public const string Delivered = "delivered";
    public const string Stored = "stored";

    public static bool IsValid(string? mode) =>
        string.Equals(mode, Delivered, StringComparison.OrdinalIgnoreCase) || string.Equals(mode, Stored, StringComparison.OrdinalIgnoreCase);
}
