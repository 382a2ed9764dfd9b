using System.Globalization;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Model;

namespace CleverTapSegment.Exports.Api;

/// <summary>
/// Turns <see cref="ExportRequest"/> bodies into model values, collecting a message per invalid field. Pure: the
/// partner's existence (a storage look-up) is checked by the endpoint.
/// </summary>
internal static class ExportRequestReader
{
    private const string DateFormat = "yyyy-MM-dd";

    /// <summary>How far ahead a recurring export may be scheduled to start.</summary>
    private const int MaxStartDaysAhead = 366;

    /// <summary>A new export (status PENDING, first run set) or null with <paramref name="errors"/> filled.</summary>
    public static ExportDefinition? ReadNew(ExportRequest request, string id, DateTimeOffset now, TimeZoneInfo timeZone, ValidationErrors errors)
    {
        var partner = Required(request.Partner, "partner", errors);
        var dataType = RequiredName(WireNames.DataType, request.DataType, "dataType", errors);
        var frequency = RequiredName(WireNames.Frequency, request.Frequency, "frequency", errors);
        if (request.Format is { } format && !string.Equals(format, ExportFormats.Segment, StringComparison.OrdinalIgnoreCase))
            errors.Add("format", $"must be '{ExportFormats.Segment}'");

        var (events, profileEvent) = dataType is { } type ? ReadSelection(type, request.Events, request.Profiles, errors) : (null, null);

        OneTimeRequest? oneTime = null;
        ExportWindow? window = null;
        RecurringSchedule? recurring = null;
        if (frequency == ExportFrequency.OneTime)
        {
            if (request.Recurring is not null)
                errors.Add("recurring", "only for frequency 'recurring'");
            (oneTime, window) = ReadOneTime(request.OneTime, now, timeZone, errors);
        }
        else if (frequency == ExportFrequency.Recurring)
        {
            if (request.OneTime is not null)
                errors.Add("oneTime", "only for frequency 'oneTime'");
            recurring = ReadRecurring(request.Recurring, now, timeZone, errors);
        }

        if (errors.Any || partner is null || dataType is null || frequency is null)
            return null;
        return new ExportDefinition
        {
            Id = id,
            Partner = partner,
            DataType = dataType.Value,
            Events = events,
            ProfileEvent = profileEvent,
            Frequency = frequency.Value,
            OneTime = oneTime,
            OneTimeWindow = window,
            Recurring = recurring,
            Status = ExportStatus.Pending,
            CreatedAt = now,
            UpdatedAt = now,
            // A one-time export is due at once; a recurring one at 00:00 of its start date.
            NextRunAt = recurring is null ? now : ExportSchedule.FirstRunAt(recurring.StartDate, timeZone),
        };
    }

    /// <summary>The wire names of the fields that decide the edit rules (type, frequency); null with errors when unreadable.</summary>
    public static ExportPatch? ReadPatchHead(ExportRequest request, ValidationErrors errors)
    {
        ExportDataType? dataType = null;
        ExportFrequency? frequency = null;
        if (request.DataType is not null)
            dataType = RequiredName(WireNames.DataType, request.DataType, "dataType", errors);
        if (request.Frequency is not null)
            frequency = RequiredName(WireNames.Frequency, request.Frequency, "frequency", errors);
        // Sending one-time settings is asking for a one-time export: the frequency rule answers that.
        if (request.OneTime is not null && frequency is null)
            frequency = ExportFrequency.OneTime;
        return errors.Any ? null : new ExportPatch { DataType = dataType, Frequency = frequency };
    }

    /// <summary>The rest of a patch for <paramref name="export"/>, which the edit rules already allow to change.</summary>
    public static ExportPatch? ReadPatchBody(ExportRequest request, ExportPatch head, ExportDefinition export, DateTimeOffset now, TimeZoneInfo timeZone, ValidationErrors errors)
    {
        string? partner = null;
        if (request.Partner is not null)
            partner = Required(request.Partner, "partner", errors);
        if (request.Format is { } format && !string.Equals(format, ExportFormats.Segment, StringComparison.OrdinalIgnoreCase))
            errors.Add("format", $"must be '{ExportFormats.Segment}'");

        ExportEvents? events = null;
        string? profileEvent = null;
        if (request.Events is not null || request.Profiles is not null)
            (events, profileEvent) = ReadSelection(export.DataType, request.Events, request.Profiles, errors);

        int? everyHours = null;
        DateOnly? startDate = null;
        if (request.Recurring is { } recurring)
        {
            if (recurring.EveryHours is { } hours)
                everyHours = ReadEveryHours(hours, errors);
            if (recurring.StartDate is not null)
                startDate = ReadStartDate(recurring.StartDate, now, timeZone, errors);
        }
        return errors.Any ? null : head with
        {
            Partner = partner,
            Events = events,
            ProfileEvent = profileEvent,
            EveryHours = everyHours,
            StartDate = startDate,
        };
    }

    private static (ExportEvents? Events, string? ProfileEvent) ReadSelection(ExportDataType dataType, ExportEventsBody? events, ExportProfilesBody? profiles, ValidationErrors errors)
    {
        if (dataType == ExportDataType.Profiles)
        {
            if (events is not null)
                errors.Add("events", "only for dataType 'events'; a profiles export takes profiles.event");
            if (profiles is null)
            {
                errors.Add("profiles.event", "a profiles export needs the event whose users it exports");
                return (null, null);
            }
            var profileEvent = ReadEventName(profiles.Event, "profiles.event", errors);
            return (null, profileEvent);
        }

        if (profiles is not null)
            errors.Add("profiles", "only for dataType 'profiles'");
        if (events is null)
        {
            errors.Add("events.selection", $"an events export needs a selection: {string.Join(", ", WireNames.Selection.Names)}");
            return (null, null);
        }
        if (RequiredName(WireNames.Selection, events.Selection, "events.selection", errors) is not { } selection)
            return (null, null);
        if (selection != EventSelection.Selected)
        {
            if (events.Names is { Count: > 0 })
                errors.Add("events.names", "only with selection 'selected'");
            return (new ExportEvents(selection, []), null);
        }
        if (events.Names is not { Count: > 0 } names)
        {
            errors.Add("events.names", "selection 'selected' needs at least one event name");
            return (null, null);
        }
        if (names.Count > EventCatalog.MaxSelectedNames)
            errors.Add("events.names", $"at most {EventCatalog.MaxSelectedNames} names");
        var valid = new List<string>(names.Count);
        for (var i = 0; i < names.Count; i++)
        {
            if (ReadEventName(names[i], $"events.names[{i}]", errors) is { } name && !valid.Contains(name, StringComparer.Ordinal))
                valid.Add(name);
        }
        return (new ExportEvents(EventSelection.Selected, valid), null);
    }

    private static (OneTimeRequest?, ExportWindow?) ReadOneTime(OneTimeBody? body, DateTimeOffset now, TimeZoneInfo timeZone, ValidationErrors errors)
    {
        if (body is null)
        {
            errors.Add("oneTime", $"a one-time export needs from/to dates ({DateFormat}) or a preset: {string.Join(", ", WireNames.Preset.Names)}");
            return (null, null);
        }
        var from = OptionalDate(body.From, "oneTime.from", errors);
        var to = OptionalDate(body.To, "oneTime.to", errors);
        OneTimePreset? preset = null;
        if (body.Preset is not null)
            preset = RequiredName(WireNames.Preset, body.Preset, "oneTime.preset", errors);
        if (errors.Has("oneTime.from") || errors.Has("oneTime.to") || errors.Has("oneTime.preset"))
            return (null, null);

        var request = new OneTimeRequest(from, to, preset);
        if (!ExportSchedule.TryResolveOneTime(request, now, timeZone, out var window, out var error))
        {
            errors.Add(error!.Value.Field, error.Value.Message);
            return (null, null);
        }
        return (request, window);
    }

    private static RecurringSchedule? ReadRecurring(RecurringBody? body, DateTimeOffset now, TimeZoneInfo timeZone, ValidationErrors errors)
    {
        if (body is null)
        {
            errors.Add("recurring", $"a recurring export needs everyHours ({ExportSchedule.MinEveryHours}..{ExportSchedule.MaxEveryHours}) and startDate ({DateFormat})");
            return null;
        }
        int? everyHours = null;
        if (body.EveryHours is { } hours)
            everyHours = ReadEveryHours(hours, errors);
        else
            errors.Add("recurring.everyHours", $"required, {ExportSchedule.MinEveryHours}..{ExportSchedule.MaxEveryHours}");
        var startDate = body.StartDate is null
            ? AddMissing("recurring.startDate", $"required ({DateFormat})", errors)
            : ReadStartDate(body.StartDate, now, timeZone, errors);
        return everyHours is { } every && startDate is { } start ? new RecurringSchedule(every, start) : null;
    }

    private static int? ReadEveryHours(int hours, ValidationErrors errors)
    {
        if (hours is >= ExportSchedule.MinEveryHours and <= ExportSchedule.MaxEveryHours)
            return hours;
        errors.Add("recurring.everyHours", $"must be {ExportSchedule.MinEveryHours}..{ExportSchedule.MaxEveryHours} (hours between runs)");
        return null;
    }

    // A start in the past would queue a backlog of runs for windows nobody asked for; today is allowed (its first
    // run, at 00:00 today, is due at once).
    private static DateOnly? ReadStartDate(string text, DateTimeOffset now, TimeZoneInfo timeZone, ValidationErrors errors)
    {
        if (OptionalDate(text, "recurring.startDate", errors) is not { } date)
            return null;
        var today = ExportSchedule.LocalDate(now, timeZone);
        if (date < today)
            errors.Add("recurring.startDate", $"must not be before today ({today:yyyy-MM-dd} in the project time zone)");
        else if (date > today.AddDays(MaxStartDaysAhead))
            errors.Add("recurring.startDate", $"must be within {MaxStartDaysAhead} days from today");
        else
            return date;
        return null;
    }

    private static string? ReadEventName(string? name, string field, ValidationErrors errors)
    {
        if (EventCatalog.ValidateEventName(name) is { } problem)
        {
            errors.Add(field, problem);
            return null;
        }
        return name;
    }

    private static DateOnly? OptionalDate(string? text, string field, ValidationErrors errors)
    {
        if (text is null)
            return null;
        if (DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return date;
        errors.Add(field, $"'{text}' is not a date ({DateFormat})");
        return null;
    }

    private static string? Required(string? value, string field, ValidationErrors errors)
    {
        if (!string.IsNullOrWhiteSpace(value))
            return value;
        errors.Add(field, "required");
        return null;
    }

    private static TEnum? RequiredName<TEnum>(WireNameTable<TEnum> table, string? value, string field, ValidationErrors errors)
        where TEnum : struct, Enum
    {
        if (table.TryParse(value, out var parsed))
            return parsed;
        errors.Add(field, value is null
            ? $"required, one of {string.Join(", ", table.Names)}"
            : $"'{value}' is not one of {string.Join(", ", table.Names)}");
        return null;
    }

    private static DateOnly? AddMissing(string field, string message, ValidationErrors errors)
    {
        errors.Add(field, message);
        return null;
    }
}
