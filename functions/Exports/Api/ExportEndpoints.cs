using System.Globalization;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Runs;
using CleverTapSegment.Exports.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CleverTapSegment.Exports.Api;

/// <summary>Query string of <c>GET /api/exports</c>, kept as text so each bad value is a 400 naming it.</summary>
internal sealed record ExportListParameters(
    string? Partner,
    string? Type,
    string? Format,
    string? Status,
    string? Frequency,
    string? ExportedFrom,
    string? ExportedTo,
    string? PageSize,
    string? Continuation)
{
    /// <summary>Each filter by its name in the query string, any case; a repeated one reads as its values joined by commas.</summary>
    public static ExportListParameters FromQuery(IQueryCollection query) => new(
        query["partner"], query["type"], query["format"], query["status"], query["frequency"],
        query["exportedFrom"], query["exportedTo"], query["pageSize"], query["continuation"]);
}

/// <summary><c>/api/exports</c>: create, list, read, edit and stop exports (docs/exports-api.md), as CleverTap's own
/// Segment export page offers them (https://docs.clevertap.com/docs/segmentcom).</summary>
internal static class ExportEndpoints
{
    /// <summary>How often a read-modify-write is retried when a worker or the scheduler wrote in between (ETag conflict).</summary>
    private const int ConcurrencyAttempts = 5;

    /// <summary>Creates an export (PENDING); one that is already due is started at once rather than at the next timer tick.</summary>
    public static async Task<Results<Created<ExportResponse>, ValidationProblem>> CreateExport(
        HttpRequest request, ExportStore store, ExportRunStarter runStarter, CleverTapAccounts accounts, TimeProvider time,
        ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<ExportRequest>(request, cancellationToken);
        if (problem is not null)
            return problem;
        var now = time.GetUtcNow();
        var errors = new ValidationErrors();
        var export = ExportRequestReader.ReadNew(body!, ExportIds.New(now), now, accounts.Default.TimeZone, errors);
        var partner = await FindPartnerAsync(body!.Partner, store, errors, cancellationToken);
        if (export is null || partner is null)
            return errors.ToProblem();

        export = await store.CreateAsync(export with { Partner = partner.Nickname }, cancellationToken);
        // Due at once: every one-time export, and a recurring one starting today (its 00:00 run has passed).
        if (export.NextRunAt <= now)
        {
            try
            {
                await runStarter.StartNowIfDueAsync(export.Id, cancellationToken);
                export = await store.GetAsync(export.Id, cancellationToken) ?? export;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The export is stored and due, so the scheduler's next tick starts it; the client still gets its 201.
                loggerFactory.CreateLogger(typeof(ExportEndpoints)).LogWarning(exception,
                    "Export {ExportId} was created but could not be started at once; the scheduler will start it.", export.Id);
            }
        }
        return TypedResults.Created($"/api/exports/{export.Id}", export.ToResponse());
    }

    public static async Task<Results<Ok<ExportListResponse>, ValidationProblem>> ListExports(
        ExportListParameters parameters, ExportStore store, CleverTapAccounts accounts, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var query = ReadListQuery(parameters, accounts.Default.TimeZone, errors);
        if (query is null)
            return errors.ToProblem();
        // Nicknames are unique ignoring case but exports store the partner's own spelling: filter on that.
        if (query.Partner is { } nickname && PartnerEndpoints.IsValidNickname(nickname)
            && await store.GetPartnerAsync(nickname, cancellationToken) is { } partner)
            query = query with { Partner = partner.Nickname };
        ExportListPage page;
        try
        {
            page = await store.ListAsync(query, cancellationToken);
        }
        catch (FormatException)
        {
            return ValidationErrors.Single("continuation", "not a continuation this API returned; start again without it");
        }
        return TypedResults.Ok(new ExportListResponse(page.Items.Select(export => export.ToResponse()).ToList(), page.Continuation));
    }

    /// <summary>The export with its newest runs, their work items and counters.</summary>
    public static async Task<Results<Ok<ExportResponse>, ProblemHttpResult>> GetExport(
        string id, ExportStore store, RunStore runStore, CancellationToken cancellationToken)
    {
        var export = await store.GetAsync(id, cancellationToken);
        if (export is null)
            return NotFound(id);
        var runs = await runStore.GetRunsAsync(id, cancellationToken);
        return TypedResults.Ok(export.ToResponse(runs));
    }

    /// <summary>Edits a recurring export under the edit rules; each violation is a 409 naming the rule.</summary>
    public static async Task<Results<Ok<ExportResponse>, ValidationProblem, ProblemHttpResult>> UpdateExport(
        string id, HttpRequest request, ExportStore store, CleverTapAccounts accounts, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<ExportRequest>(request, cancellationToken);
        if (problem is not null)
            return problem;
        var errors = new ValidationErrors();
        var head = ExportRequestReader.ReadPatchHead(body!, errors);
        if (head is null)
            return errors.ToProblem();

        var timeZone = accounts.Default.TimeZone;
        for (var attempt = 0; attempt < ConcurrencyAttempts; attempt++)
        {
            var export = await store.GetAsync(id, cancellationToken);
            if (export is null)
                return NotFound(id);
            if (ExportEditRules.FindViolation(export, head) is { } rule)
                return Conflict(rule.Describe());

            var now = time.GetUtcNow();
            var patch = ExportRequestReader.ReadPatchBody(body!, head, export, now, timeZone, errors);
            if (patch?.Partner is { } partnerName && await FindPartnerAsync(partnerName, store, errors, cancellationToken) is { } partner)
                patch = patch with { Partner = partner.Nickname };
            if (patch is null || errors.Any)
                return errors.ToProblem();

            var updated = ExportEditRules.Apply(export, patch, now, timeZone);
            if (await store.TryReplaceAsync(updated, cancellationToken))
                return TypedResults.Ok((await store.GetAsync(id, cancellationToken) ?? updated).ToResponse());
        }
        return Conflict($"Export {id} is being changed by someone else; try again.");
    }

    /// <summary>
    /// Sets STOPPED (CleverTap's "Stop Export", https://docs.clevertap.com/docs/segmentcom); workers check the status before every page and abandon. Stopping a
    /// stopped export answers it unchanged; a DONE or FAILED one has nothing left to stop (409).
    /// </summary>
    public static async Task<Results<Ok<ExportResponse>, ProblemHttpResult>> StopExport(
        string id, ExportStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < ConcurrencyAttempts; attempt++)
        {
            var export = await store.GetAsync(id, cancellationToken);
            if (export is null)
                return NotFound(id);
            if (export.Status == ExportStatus.Stopped)
                return TypedResults.Ok(export.ToResponse());
            if (!export.IsLive)
                return Conflict($"Export {id} is {WireNames.Status.ToWire(export.Status)}: there is nothing to stop.");
            var stopped = export with { Status = ExportStatus.Stopped, NextRunAt = null, UpdatedAt = time.GetUtcNow() };
            if (await store.TryReplaceAsync(stopped, cancellationToken))
                return TypedResults.Ok((await store.GetAsync(id, cancellationToken) ?? stopped).ToResponse());
        }
        return Conflict($"Export {id} is being changed by someone else; try again.");
    }

    /// <summary>
    /// Reads the list filters. <c>exportedFrom</c>/<c>exportedTo</c> take a project-local day (<c>yyyy-MM-dd</c>,
    /// both inclusive) or an ISO-8601 instant with offset (<c>exportedTo</c> then exclusive).
    /// </summary>
    internal static ExportListQuery? ReadListQuery(ExportListParameters parameters, TimeZoneInfo timeZone, ValidationErrors errors)
    {
        var pageSize = ExportListQuery.DefaultPageSize;
        if (parameters.PageSize is not null
            && !(int.TryParse(parameters.PageSize, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize)
                 && ExportListQuery.PageSizes.Contains(pageSize)))
        {
            errors.Add("pageSize", $"must be one of {string.Join(", ", ExportListQuery.PageSizes)}");
        }
        var query = new ExportListQuery
        {
            Partner = string.IsNullOrEmpty(parameters.Partner) ? null : parameters.Partner,
            DataType = OptionalFilter(WireNames.DataType, parameters.Type, "type", errors),
            Format = ReadFormat(parameters.Format, errors),
            Status = OptionalFilter(WireNames.Status, parameters.Status, "status", errors),
            Frequency = OptionalFilter(WireNames.Frequency, parameters.Frequency, "frequency", errors),
            ExportedFrom = ReadBound(parameters.ExportedFrom, "exportedFrom", endOfDay: false, timeZone, errors),
            ExportedTo = ReadBound(parameters.ExportedTo, "exportedTo", endOfDay: true, timeZone, errors),
            PageSize = pageSize,
            Continuation = string.IsNullOrEmpty(parameters.Continuation) ? null : parameters.Continuation,
        };
        if (query is { ExportedFrom: { } from, ExportedTo: { } to } && to <= from)
            errors.Add("exportedTo", "must be after exportedFrom");
        return errors.Any ? null : query;
    }

    private static string? ReadFormat(string? format, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(format))
            return null;
        if (string.Equals(format, ExportFormats.Segment, StringComparison.OrdinalIgnoreCase))
            return ExportFormats.Segment;
        errors.Add("format", $"must be '{ExportFormats.Segment}'");
        return null;
    }

    private static DateTimeOffset? ReadBound(string? text, string field, bool endOfDay, TimeZoneInfo timeZone, ValidationErrors errors)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return ExportSchedule.StartOfDay(endOfDay ? day.AddDays(1) : day, timeZone);
        if (text.Contains('T', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
            return instant;
        errors.Add(field, $"'{text}' is neither a day (yyyy-MM-dd) nor an ISO-8601 date-time");
        return null;
    }

    private static TEnum? OptionalFilter<TEnum>(WireNameTable<TEnum> table, string? value, string field, ValidationErrors errors)
        where TEnum : struct, Enum
    {
        if (string.IsNullOrEmpty(value))
            return null;
        if (table.TryParse(value, out var parsed))
            return parsed;
        errors.Add(field, $"'{value}' is not one of {string.Join(", ", table.Names)}");
        return null;
    }

    private static async Task<Partner?> FindPartnerAsync(string? nickname, ExportStore store, ValidationErrors errors, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(nickname))
            return null;
        var partner = PartnerEndpoints.IsValidNickname(nickname) ? await store.GetPartnerAsync(nickname, cancellationToken) : null;
        if (partner is null)
            errors.Add("partner", $"no partner named '{nickname}'; create it with POST /api/partners");
        return partner;
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No export with id '{id}'.");

    private static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);
}
