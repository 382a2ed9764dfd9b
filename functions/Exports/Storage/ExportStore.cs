using System.Text;
using Azure;
using Azure.Data.Tables;
using CleverTapSegment.Exports.Model;
using CleverTapSegment.Storage;

namespace CleverTapSegment.Exports.Storage;

/// <summary>
/// Partners (table <c>exportpartners</c>) and export definitions (table <c>exports</c>) in Table Storage.
/// Both tables hold one partition each: a deployment has tens to hundreds of these rows, and one partition gives
/// ordered listing (newest first, see <see cref="ExportIds"/>) and cheap filtered queries. Concurrency is
/// optimistic: every replace is guarded by the ETag it was read with. The tables are created at start-up
/// (<see cref="StorageInitializer"/>).
/// </summary>
public sealed class ExportStore
{
    public const string PartnersTableName = "exportpartners";
    public const string ExportsTableName = "exports";

    private const string PartnerPartition = PartnerEntities.Partition;
    private const string ExportPartition = ExportEntities.Partition;

    private readonly TableClient _partners;
    private readonly TableClient _exports;

    public ExportStore(TableServiceClient tableService)
        : this(tableService, PartnersTableName, ExportsTableName)
    {
    }

    /// <summary>For tests that share one storage account and need tables of their own (they create them).</summary>
    internal ExportStore(TableServiceClient tableService, string partnersTableName, string exportsTableName)
    {
        _partners = tableService.GetTableClient(partnersTableName);
        _exports = tableService.GetTableClient(exportsTableName);
    }

    // ---- partners ----

    /// <summary>Adds a partner; false when one with the same nickname (case-insensitively) exists.</summary>
    public async Task<bool> TryAddPartnerAsync(Partner partner, CancellationToken cancellationToken = default)
    {
        try
        {
            await _partners.AddEntityAsync(PartnerEntities.ToEntity(partner), cancellationToken);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status == 409)
        {
            return false;
        }
    }

    public async Task<Partner?> GetPartnerAsync(string nickname, CancellationToken cancellationToken = default)
    {
        var entity = await _partners.GetEntityIfExistsAsync<TableEntity>(PartnerPartition, PartnerEntities.RowKey(nickname), cancellationToken: cancellationToken);
        return entity.HasValue ? PartnerEntities.FromEntity(entity.Value!) : null;
    }

    public async Task<IReadOnlyList<Partner>> ListPartnersAsync(CancellationToken cancellationToken = default)
    {
        var partners = new List<Partner>();
        await foreach (var entity in _partners.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {PartnerPartition}"), cancellationToken: cancellationToken))
            partners.Add(PartnerEntities.FromEntity(entity));
        return partners;
    }

    /// <summary>Replaces a partner read earlier; false when it changed or vanished since (412/404).</summary>
    public async Task<bool> TryReplacePartnerAsync(Partner partner, CancellationToken cancellationToken = default)
    {
        try
        {
            await _partners.UpdateEntityAsync(PartnerEntities.ToEntity(partner), partner.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status is 412 or 404)
        {
            return false;
        }
    }

    public async Task DeletePartnerAsync(string nickname, CancellationToken cancellationToken = default)
    {
        await _partners.DeleteEntityAsync(PartnerPartition, PartnerEntities.RowKey(nickname), ETag.All, cancellationToken);
    }

    /// <summary>Whether a live (PENDING or RUNNING) export sends to this partner.</summary>
    public async Task<bool> IsPartnerInUseAsync(string nickname, CancellationToken cancellationToken = default)
    {
        var pending = WireNames.Status.ToWire(ExportStatus.Pending);
        var running = WireNames.Status.ToWire(ExportStatus.Running);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {ExportPartition} and Partner eq {nickname} and (Status eq {pending} or Status eq {running})");
        await foreach (var _ in _exports.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["RowKey"], cancellationToken: cancellationToken))
            return true;
        return false;
    }

    // ---- export definitions ----

    /// <summary>Inserts a new definition and returns it with its ETag.</summary>
    public async Task<ExportDefinition> CreateAsync(ExportDefinition export, CancellationToken cancellationToken = default)
    {
        var response = await _exports.AddEntityAsync(ExportEntities.ToEntity(export), cancellationToken);
        return export with { ETag = response.WrittenETag() };
    }

    public async Task<ExportDefinition?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!ExportIds.IsWellFormed(id))
            return null;
        var entity = await _exports.GetEntityIfExistsAsync<TableEntity>(ExportPartition, id, cancellationToken: cancellationToken);
        return entity.HasValue ? ExportEntities.FromEntity(entity.Value!) : null;
    }

    /// <summary>
    /// Replaces a definition if it has not changed since it was read (its <see cref="ExportDefinition.ETag"/>);
    /// false on a conflict (412) or when it was deleted. Re-read and retry on false.
    /// </summary>
    public async Task<bool> TryReplaceAsync(ExportDefinition export, CancellationToken cancellationToken = default)
    {
        try
        {
            await _exports.UpdateEntityAsync(ExportEntities.ToEntity(export), export.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>PENDING exports whose next run time has come (<c>NextRunAt ≤ now</c>).</summary>
    public async Task<IReadOnlyList<ExportDefinition>> QueryDueAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var pending = WireNames.Status.ToWire(ExportStatus.Pending);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ExportPartition} and Status eq {pending} and NextRunAt le {now.ToUniversalTime()}");
        var due = new List<ExportDefinition>();
        await foreach (var entity in _exports.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            due.Add(ExportEntities.FromEntity(entity));
        return due;
    }

    /// <summary>
    /// One page of exports matching <paramref name="query"/>, newest first. The cursor is the last id returned
    /// (encoded), so a page is always full unless it is the last one, whatever the service's own paging does.
    /// </summary>
    /// <exception cref="FormatException">The continuation is not one this store issued.</exception>
    public async Task<ExportListPage> ListAsync(ExportListQuery query, CancellationToken cancellationToken = default)
    {
        var filter = BuildListFilter(query);
        var wanted = query.PageSize + 1;
        var items = new List<ExportDefinition>(wanted);
        // The service's pages (a filter can leave them short, even empty) are followed until one more than a page is found.
        await foreach (var page in _exports.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).AsPages(pageSizeHint: wanted))
        {
            items.AddRange(page.Values.Take(wanted - items.Count).Select(ExportEntities.FromEntity));
            if (items.Count == wanted)
                break;
        }

        if (items.Count <= query.PageSize)
            return new ExportListPage(items, null);
        items.RemoveAt(items.Count - 1);
        return new ExportListPage(items, ListCursor.Encode(items[^1].Id));
    }

    private static string BuildListFilter(ExportListQuery query)
    {
        var clauses = new List<string> { TableClient.CreateQueryFilter($"PartitionKey eq {ExportPartition}") };
        if (query.Continuation is { } continuation)
            clauses.Add(TableClient.CreateQueryFilter($"RowKey gt {ListCursor.Decode(continuation)}"));
        if (query.Partner is { } partner)
            clauses.Add(TableClient.CreateQueryFilter($"Partner eq {partner}"));
        if (query.DataType is { } dataType)
            clauses.Add(TableClient.CreateQueryFilter($"DataType eq {WireNames.DataType.ToWire(dataType)}"));
        if (query.Format is { } format)
            clauses.Add(TableClient.CreateQueryFilter($"Format eq {format}"));
        if (query.Status is { } status)
            clauses.Add(TableClient.CreateQueryFilter($"Status eq {WireNames.Status.ToWire(status)}"));
        if (query.Frequency is { } frequency)
            clauses.Add(TableClient.CreateQueryFilter($"Frequency eq {WireNames.Frequency.ToWire(frequency)}"));
        if (query.ExportedFrom is { } from)
            clauses.Add(TableClient.CreateQueryFilter($"ExportedOn ge {from.ToUniversalTime()}"));
        if (query.ExportedTo is { } to)
            clauses.Add(TableClient.CreateQueryFilter($"ExportedOn lt {to.ToUniversalTime()}"));
        return string.Join(" and ", clauses);
    }

    /// <summary>The list cursor: the last id of the previous page, base64url so clients treat it as opaque.</summary>
    private static class ListCursor
    {
        private const string Version = "v1:";

        public static string Encode(string lastId) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Version + lastId)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static string Decode(string cursor)
        {
            try
            {
                var base64 = cursor.Replace('-', '+').Replace('_', '/');
                base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
                if (text.StartsWith(Version, StringComparison.Ordinal) && ExportIds.IsWellFormed(text[Version.Length..]))
                    return text[Version.Length..];
            }
            catch (FormatException)
            {
            }
            throw new FormatException("The continuation is not a cursor this API returned.");
        }
    }
}
