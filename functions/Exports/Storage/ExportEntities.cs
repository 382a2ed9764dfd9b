using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using CleverTapSegment.Exports.Model;

namespace CleverTapSegment.Exports.Storage;

/// <summary>
/// ExportDefinition ⇄ table entity. Filterable facts (partner, type, format, status, frequency, next run, exported-on)
/// are top-level properties so list and due queries run in the service; enums are stored by their wire names.
/// </summary>
internal static class ExportEntities
{
    public const string Partition = "export";
    private const string DateFormat = "yyyy-MM-dd";

    public static TableEntity ToEntity(ExportDefinition export)
    {
        var entity = new TableEntity(Partition, export.Id)
        {
            ["Partner"] = export.Partner,
            ["DataType"] = WireNames.DataType.ToWire(export.DataType),
            ["EventSelection"] = export.Events is { } events ? WireNames.Selection.ToWire(events.Selection) : null,
            ["EventNames"] = export.Events is { Selection: EventSelection.Selected } selected ? JsonSerializer.Serialize(selected.Names) : null,
            ["ProfileEvent"] = export.ProfileEvent,
            ["Frequency"] = WireNames.Frequency.ToWire(export.Frequency),
            ["OneTimeFrom"] = FormatDate(export.OneTime?.From),
            ["OneTimeTo"] = FormatDate(export.OneTime?.To),
            ["OneTimePreset"] = export.OneTime?.Preset is { } preset ? WireNames.Preset.ToWire(preset) : null,
            ["WindowStart"] = export.OneTimeWindow?.Start,
            ["WindowEnd"] = export.OneTimeWindow?.End,
            ["EveryHours"] = export.Recurring?.EveryHours,
            ["StartDate"] = FormatDate(export.Recurring?.StartDate),
            ["Format"] = export.Format,
            ["Status"] = WireNames.Status.ToWire(export.Status),
            ["StatusReason"] = export.StatusReason,
            ["CreatedAt"] = export.CreatedAt,
            ["UpdatedAt"] = export.UpdatedAt,
            ["LastRunAt"] = export.LastRunAt,
            ["LastWindowEnd"] = export.LastWindowEnd,
            ["NextRunAt"] = export.NextRunAt,
            ["CurrentRunId"] = export.CurrentRunId,
            ["Exported"] = export.Counters.Exported,
            ["Skipped"] = export.Counters.Skipped,
            ["Failed"] = export.Counters.Failed,
            // The "exported on" time the list's exportedFrom/exportedTo filters bound (see ExportListQuery).
            ["ExportedOn"] = export.LastRunAt ?? export.CreatedAt,
        };
        entity.ETag = export.ETag;
        return entity;
    }

    public static ExportDefinition FromEntity(TableEntity entity)
    {
        var dataType = WireNames.DataType.Parse(Required(entity, "DataType"));
        var frequency = WireNames.Frequency.Parse(Required(entity, "Frequency"));
        var windowStart = entity.GetDateTimeOffset("WindowStart");
        var windowEnd = entity.GetDateTimeOffset("WindowEnd");
        return new ExportDefinition
        {
            Id = entity.RowKey,
            Partner = Required(entity, "Partner"),
            DataType = dataType,
            Events = entity.GetString("EventSelection") is { } selection
                ? new ExportEvents(WireNames.Selection.Parse(selection),
                    entity.GetString("EventNames") is { } names ? JsonSerializer.Deserialize<string[]>(names) ?? [] : [])
                : null,
            ProfileEvent = entity.GetString("ProfileEvent"),
            Frequency = frequency,
            OneTime = frequency == ExportFrequency.OneTime
                ? new OneTimeRequest(ParseDate(entity.GetString("OneTimeFrom")), ParseDate(entity.GetString("OneTimeTo")),
                    entity.GetString("OneTimePreset") is { } preset ? WireNames.Preset.Parse(preset) : null)
                : null,
            OneTimeWindow = windowStart is { } start && windowEnd is { } end ? new ExportWindow(start, end) : null,
            Recurring = entity.GetInt32("EveryHours") is { } everyHours && ParseDate(entity.GetString("StartDate")) is { } startDate
                ? new RecurringSchedule(everyHours, startDate)
                : null,
            Format = entity.GetString("Format") ?? ExportFormats.Segment,
            Status = WireNames.Status.Parse(Required(entity, "Status")),
            StatusReason = entity.GetString("StatusReason"),
            CreatedAt = entity.GetDateTimeOffset("CreatedAt") ?? default,
            UpdatedAt = entity.GetDateTimeOffset("UpdatedAt") ?? default,
            LastRunAt = entity.GetDateTimeOffset("LastRunAt"),
            LastWindowEnd = entity.GetDateTimeOffset("LastWindowEnd"),
            NextRunAt = entity.GetDateTimeOffset("NextRunAt"),
            CurrentRunId = entity.GetString("CurrentRunId"),
            Counters = new ExportCounters(entity.GetInt64("Exported") ?? 0, entity.GetInt64("Skipped") ?? 0, entity.GetInt64("Failed") ?? 0),
            ETag = entity.ETag,
        };
    }

    private static string Required(TableEntity entity, string key) =>
        entity.GetString(key) ?? throw new FormatException($"Export entity {entity.RowKey} has no {key}.");

    private static string? FormatDate(DateOnly? date) => date?.ToString(DateFormat, CultureInfo.InvariantCulture);

    private static DateOnly? ParseDate(string? text) =>
        text is null ? null : DateOnly.ParseExact(text, DateFormat, CultureInfo.InvariantCulture);
}
