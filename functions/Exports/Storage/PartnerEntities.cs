using Azure.Data.Tables;
using CleverTapSegment.Exports.Model;

namespace CleverTapSegment.Exports.Storage;

/// <summary>Partner ⇄ table entity. The RowKey is the lower-cased nickname, which makes nicknames unique case-insensitively.</summary>
internal static class PartnerEntities
{
    public const string Partition = "partner";

    public static string RowKey(string nickname) => nickname.ToLowerInvariant();

    public static TableEntity ToEntity(Partner partner)
    {
        var entity = new TableEntity(Partition, RowKey(partner.Nickname))
        {
            ["Nickname"] = partner.Nickname,
            ["WriteKey"] = partner.WriteKey,
            ["Region"] = WireNames.Region.ToWire(partner.Region),
            ["UserIdSource"] = WireNames.UserIdSource.ToWire(partner.UserIdSource),
            ["AnonymousIdSource"] = WireNames.AnonymousIdSource.ToWire(partner.AnonymousIdSource),
            ["CreatedAt"] = partner.CreatedAt,
            ["UpdatedAt"] = partner.UpdatedAt,
        };
        entity.ETag = partner.ETag;
        return entity;
    }

    public static Partner FromEntity(TableEntity entity) => new()
    {
        Nickname = entity.GetString("Nickname") ?? entity.RowKey,
        WriteKey = entity.GetString("WriteKey") ?? "",
        Region = WireNames.Region.Parse(entity.GetString("Region") ?? "US"),
        UserIdSource = WireNames.UserIdSource.Parse(entity.GetString("UserIdSource") ?? "identity"),
        AnonymousIdSource = WireNames.AnonymousIdSource.Parse(entity.GetString("AnonymousIdSource") ?? "objectId"),
        CreatedAt = entity.GetDateTimeOffset("CreatedAt") ?? default,
        UpdatedAt = entity.GetDateTimeOffset("UpdatedAt") ?? default,
        ETag = entity.ETag,
    };
}
