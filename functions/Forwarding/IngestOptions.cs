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
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
