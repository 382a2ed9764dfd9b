using System.Globalization;
using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Runs;

namespace CleverTapSegment.Exports.Api;

/// <summary>Model → response shapes (docs/exports-api.md). The write key never leaves: only its last four characters.</summary>
internal static class ApiMapping
{
    public static PartnerResponse ToResponse(this Partner partner) => new(
        partner.Nickname,
        partner.WriteKeyLast4,
        WireNames.Region.ToWire(partner.Region),
        WireNames.UserIdSource.ToWire(partner.UserIdSource),
        WireNames.AnonymousIdSource.ToWire(partner.AnonymousIdSource),
        partner.CreatedAt,
        partner.UpdatedAt);

    public static ExportResponse ToResponse(this ExportDefinition export, IReadOnlyList<ExportRunView>? runs = null) => new(
        export.Id,
        export.Partner,
        WireNames.DataType.ToWire(export.DataType),
        export.Events is { } events ? new EventsResponse(WireNames.Selection.ToWire(events.Selection), events.Resolve()) : null,
        export.ProfileEvent is { } profileEvent ? new ProfilesResponse(profileEvent) : null,
        WireNames.Frequency.ToWire(export.Frequency),
        export.OneTime is { } oneTime && export.OneTimeWindow is { } window
            ? new OneTimeResponse(FormatDate(oneTime.From), FormatDate(oneTime.To),
                oneTime.Preset is { } preset ? WireNames.Preset.ToWire(preset) : null, window.Start, window.End)
            : null,
        export.Recurring is { } recurring ? new RecurringResponse(recurring.EveryHours, FormatDate(recurring.StartDate)!) : null,
        export.Format,
        WireNames.Status.ToWire(export.Status),
        export.StatusReason,
        export.CreatedAt,
        export.UpdatedAt,
        export.LastRunAt,
        export.NextRunAt,
        new CountersResponse(export.Counters.Exported, export.Counters.Skipped, export.Counters.Failed),
        runs?.Select(ToResponse).ToList());

    private static RunResponse ToResponse(ExportRunView run) => new(
        run.Id,
        run.WindowStart,
        run.WindowEnd,
        run.Status.ToWire(),
        run.Reason,
        run.StartedAt,
        run.CompletedAt,
        new CountersResponse(run.Counters.Exported, run.Counters.Skipped, run.Counters.Failed),
        run.Counters.SkipReasons,
        run.Items.Select(item => new WorkItemResponse(
            item.Event,
            FormatDate(item.Day)!,
            item.Status.ToWire(),
            item.Reason,
            item.Counters.Exported,
            item.Counters.Skipped,
            item.Counters.Failed,
            item.Pages,
            item.LastCheckpointAt,
            item.LastError is { } error ? new ErrorResponse(error.Message, error.At) : null,
            item.NextAttemptAt)).ToList());

    private static string? FormatDate(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
