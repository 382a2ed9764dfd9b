using System.Text.Json.Serialization;

namespace CleverTapSegment.Exports.Api;

// The JSON shapes of the management API, docs/exports-api.md (camelCase; fields may be added, none renamed). Requests keep every value as the
// client sent it (strings, nullable numbers) so validation can name the offending field instead of failing binding.

public sealed record PartnerRequest(
    string? Nickname,
    string? WriteKey,
    string? Region,
    string? UserIdSource,
    string? AnonymousIdSource);

public sealed record PartnerResponse(
    string Nickname,
    string WriteKeyLast4,
    string Region,
    string UserIdSource,
    string AnonymousIdSource,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record PartnerListResponse(IReadOnlyList<PartnerResponse> Items);

public sealed record ExportEventsBody(string? Selection, IReadOnlyList<string?>? Names);

public sealed record ExportProfilesBody(string? Event);

public sealed record OneTimeBody(string? From, string? To, string? Preset);

public sealed record RecurringBody(int? EveryHours, string? StartDate);

public sealed record ExportRequest(
    string? Partner,
    string? DataType,
    ExportEventsBody? Events,
    ExportProfilesBody? Profiles,
    string? Frequency,
    OneTimeBody? OneTime,
    RecurringBody? Recurring,
    string? Format);

public sealed record CountersResponse(long Exported, long Skipped, long Failed);

public sealed record EventsResponse(string Selection, IReadOnlyList<string> Names);

public sealed record ProfilesResponse(string Event);

/// <summary>The one-time request as given, plus the window it resolved to at creation (UTC).</summary>
public sealed record OneTimeResponse(string? From, string? To, string? Preset, DateTimeOffset WindowStart, DateTimeOffset WindowEnd);

public sealed record RecurringResponse(int EveryHours, string StartDate);

/// <summary>Why an attempt failed and when (UTC).</summary>
public sealed record ErrorResponse(string Message, DateTimeOffset At);

/// <summary>
/// An (event, day) work item. <see cref="LastError"/>: the last failed attempt, null once the item progresses again;
/// <see cref="NextAttemptAt"/>: when it is tried again (a retry's back-off or CleverTap still preparing), null
/// while an attempt runs and after the item finished.
/// </summary>
public sealed record WorkItemResponse(
    string Event,
    string Day,
    string Status,
    string? Reason,
    long Exported,
    long Skipped,
    long Failed,
    long Pages,
    DateTimeOffset? LastCheckpointAt,
    ErrorResponse? LastError,
    DateTimeOffset? NextAttemptAt);

public sealed record RunResponse(
    string Id,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    string Status,
    string? Reason,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    CountersResponse Counters,
    IReadOnlyDictionary<string, long> SkipReasons,
    IReadOnlyList<WorkItemResponse> Items);

/// <summary>An export; <see cref="Runs"/> only on <c>GET /api/exports/{id}</c>, left out of lists.</summary>
public sealed record ExportResponse(
    string Id,
    string Partner,
    string DataType,
    EventsResponse? Events,
    ProfilesResponse? Profiles,
    string Frequency,
    OneTimeResponse? OneTime,
    RecurringResponse? Recurring,
    string Format,
    string Status,
    string? StatusReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastRunAt,
    DateTimeOffset? NextRunAt,
    CountersResponse Counters,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<RunResponse>? Runs);

public sealed record ExportListResponse(IReadOnlyList<ExportResponse> Items, string? Continuation);
