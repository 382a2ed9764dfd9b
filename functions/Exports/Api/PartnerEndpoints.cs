using System.Text.RegularExpressions;
using CleverTapSegment.Exports.Mapping;
using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Storage;
using CleverTapSegment.Segment;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CleverTapSegment.Exports.Api;

/// <summary><c>/api/partners</c>: the connected Segment sources, as CleverTap's partner settings hold them
/// (https://docs.clevertap.com/docs/segmentcom); shapes in docs/exports-api.md.</summary>
internal static partial class PartnerEndpoints
{
    private const int MaxWriteKeyLength = 256;

    /// <summary>How often a read-modify-write is retried when another writer got in between (ETag conflict).</summary>
    private const int ConcurrencyAttempts = 3;

    public static async Task<Results<Created<PartnerResponse>, ValidationProblem, ProblemHttpResult>> CreatePartner(
        HttpRequest request, ExportStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<PartnerRequest>(request, cancellationToken);
        if (problem is not null)
            return problem;
        var errors = new ValidationErrors();
        if (!IsValidNickname(body!.Nickname))
            errors.Add("nickname", "required: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        var writeKey = ReadWriteKey(body.WriteKey, errors);
        var (region, userIdSource, anonymousIdSource) = ReadSettings(body, errors);
        if (errors.Any)
            return errors.ToProblem();

        var now = time.GetUtcNow();
        var partner = new Partner
        {
            Nickname = body.Nickname!,
            WriteKey = writeKey!,
            Region = region ?? SegmentRegion.US,
            UserIdSource = userIdSource ?? UserIdSource.Identity,
            AnonymousIdSource = anonymousIdSource ?? AnonymousIdSource.ObjectId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (!await store.TryAddPartnerAsync(partner, cancellationToken))
            return Conflict($"A partner named '{partner.Nickname}' already exists (nicknames are unique, ignoring case).");
        return TypedResults.Created($"/api/partners/{Uri.EscapeDataString(partner.Nickname)}", partner.ToResponse());
    }

    public static async Task<Ok<PartnerListResponse>> ListPartners(ExportStore store, CancellationToken cancellationToken)
    {
        var partners = await store.ListPartnersAsync(cancellationToken);
        return TypedResults.Ok(new PartnerListResponse(partners.Select(partner => partner.ToResponse()).ToList()));
    }

    public static async Task<Results<Ok<PartnerResponse>, ProblemHttpResult>> GetPartner(
        string nickname, ExportStore store, CancellationToken cancellationToken)
    {
        var partner = IsValidNickname(nickname) ? await store.GetPartnerAsync(nickname, cancellationToken) : null;
        return partner is null ? NotFound(nickname) : TypedResults.Ok(partner.ToResponse());
    }

    /// <summary>Changes the key, region or identity sources; the nickname is the partner's identity and stays.</summary>
    public static async Task<Results<Ok<PartnerResponse>, ValidationProblem, ProblemHttpResult>> UpdatePartner(
        string nickname, HttpRequest request, ExportStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var (body, problem) = await JsonBody.ReadAsync<PartnerRequest>(request, cancellationToken);
        if (problem is not null)
            return problem;
        var errors = new ValidationErrors();
        if (body!.Nickname is { } newNickname && !string.Equals(newNickname, nickname, StringComparison.OrdinalIgnoreCase))
            errors.Add("nickname", "cannot be changed: exports refer to the partner by it; create a new partner instead");
        var writeKey = body.WriteKey is null ? null : ReadWriteKey(body.WriteKey, errors);
        var (region, userIdSource, anonymousIdSource) = ReadSettings(body, errors);
        if (errors.Any)
            return errors.ToProblem();

        for (var attempt = 0; attempt < ConcurrencyAttempts; attempt++)
        {
            var partner = IsValidNickname(nickname) ? await store.GetPartnerAsync(nickname, cancellationToken) : null;
            if (partner is null)
                return NotFound(nickname);
            var updated = partner.With(writeKey, region, userIdSource, anonymousIdSource, time.GetUtcNow());
            if (await store.TryReplacePartnerAsync(updated, cancellationToken))
                return TypedResults.Ok(updated.ToResponse());
        }
        return Conflict($"Partner '{nickname}' is being changed by someone else; try again.");
    }

    /// <summary>Refused (409) while a PENDING or RUNNING export sends to this partner.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeletePartner(
        string nickname, ExportStore store, CancellationToken cancellationToken)
    {
        var partner = IsValidNickname(nickname) ? await store.GetPartnerAsync(nickname, cancellationToken) : null;
        if (partner is null)
            return NotFound(nickname);
        if (await store.IsPartnerInUseAsync(partner.Nickname, cancellationToken))
            return Conflict($"Partner '{partner.Nickname}' is used by a PENDING or RUNNING export; stop those exports first.");
        await store.DeletePartnerAsync(partner.Nickname, cancellationToken);
        return TypedResults.NoContent();
    }

    public static bool IsValidNickname(string? nickname) => nickname is not null && NicknamePattern().IsMatch(nickname);

    private static string? ReadWriteKey(string? writeKey, ValidationErrors errors)
    {
        if (string.IsNullOrWhiteSpace(writeKey))
            errors.Add("writeKey", "required: the Segment source's write key");
        else if (writeKey.Length > MaxWriteKeyLength || writeKey.Any(character => char.IsWhiteSpace(character) || char.IsControl(character)))
            errors.Add("writeKey", $"must be at most {MaxWriteKeyLength} characters without spaces");
        else
            return writeKey;
        return null;
    }

    private static (SegmentRegion?, UserIdSource?, AnonymousIdSource?) ReadSettings(PartnerRequest body, ValidationErrors errors) =>
        (Optional(WireNames.Region, body.Region, "region", errors),
         Optional(WireNames.UserIdSource, body.UserIdSource, "userIdSource", errors),
         Optional(WireNames.AnonymousIdSource, body.AnonymousIdSource, "anonymousIdSource", errors));

    private static TEnum? Optional<TEnum>(WireNameTable<TEnum> table, string? value, string field, ValidationErrors errors)
        where TEnum : struct, Enum
    {
        if (value is null)
            return null;
        if (table.TryParse(value, out var parsed))
            return parsed;
        errors.Add(field, $"'{value}' is not one of {string.Join(", ", table.Names)}");
        return null;
    }

    private static ProblemHttpResult NotFound(string nickname) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No partner named '{nickname}'.");

    private static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NicknamePattern();
}
