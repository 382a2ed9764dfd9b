using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace CleverTapSegment.Storage;

/// <summary>One table. Failures throw <see cref="RequestFailedException"/>; 412 means an ETag conflict, 409 an existing entity.</summary>
/// <remarks>REST reference: https://learn.microsoft.com/rest/api/storageservices/table-service-rest-api</remarks>
public sealed class TableClient
{
    private static readonly RequestMethod Merge = new("MERGE");

    private readonly HttpPipeline _pipeline;
    private readonly string _endpoint;

    internal TableClient(HttpPipeline pipeline, Uri endpoint, string name)
    {
        _pipeline = pipeline;
        _endpoint = endpoint.AbsoluteUri.TrimEnd('/');
        Name = name;
    }

    public string Name { get; }

    /// <summary>Creates the table; an existing one (409 <c>TableAlreadyExists</c>) is fine, one being deleted is not.</summary>
    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var request = CreateRequest(RequestMethod.Post, "Tables");
        request.Headers.SetValue("Prefer", "return-no-content");
        SetJsonContent(request, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { TableName = Name })));
        using var response = await _pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status is 201 or 204)
            return;
        // 409 is also TableBeingDeleted, which must surface: the table is not usable yet.
        var error = StorageErrors.Create(response);
        if (error.Status != 409 || error.ErrorCode != "TableAlreadyExists")
            throw error;
    }

    public async Task<TableEntity?> GetEntityIfExistsAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(partitionKey, nameof(partitionKey));
        TableKeys.Validate(rowKey, nameof(rowKey));
        using var request = CreateRequest(RequestMethod.Get, TableKeys.EntityPath(Name, partitionKey, rowKey));
        AppendSelect(request, select);
        using var response = await _pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status != 200)
            return IsMissingEntity(response) ? null : throw StorageErrors.Create(response);
        using var json = JsonDocument.Parse(response.Content.ToMemory());
        response.Headers.TryGetValue("ETag", out var etag);
        return TableEntityJson.Read(json.RootElement, etag);
    }

    /// <summary>Inserts; 409 <c>EntityAlreadyExists</c> if present. Returns the new ETag.</summary>
    public async Task<ETag> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        ValidateEntity(entity);
        using var request = CreateRequest(RequestMethod.Post, Name);
        request.Headers.SetValue("Prefer", "return-no-content");
        SetJsonContent(request, TableEntityJson.Write(entity));
        using var response = await _pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status is not (201 or 204))
            throw StorageErrors.Create(response);
        return UpdateETag(entity, response);
    }

    /// <summary>Insert-or-replace (PUT) or insert-or-merge (MERGE): no If-Match, so it never conflicts.</summary>
    public Task<ETag> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) =>
        WriteEntityAsync(entity, ifMatch: null, mode, cancellationToken);

    /// <summary>Updates with If-Match (<see cref="ETag.All"/> for unconditional); 412 on a stale ETag.</summary>
    public Task<ETag> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        if (ifMatch == default)
            throw new ArgumentException("An update needs an ETag (the entity's, or ETag.All for an unconditional update).", nameof(ifMatch));
        return WriteEntityAsync(entity, ifMatch, mode, cancellationToken);
    }

    /// <summary>Deletes with If-Match; a missing entity is not an error (a missing table is).</summary>
    public async Task DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(partitionKey, nameof(partitionKey));
        TableKeys.Validate(rowKey, nameof(rowKey));
        using var request = CreateRequest(RequestMethod.Delete, TableKeys.EntityPath(Name, partitionKey, rowKey));
        // The service requires If-Match on delete; no ETag means unconditional.
        request.Headers.SetValue("If-Match", ifMatch == default ? ETag.All.ToString() : ifMatch.ToString());
        using var response = await _pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status != 204 && !IsMissingEntity(response))
            throw StorageErrors.Create(response);
    }

    /// <summary>All matching entities, following continuation tokens.</summary>
    public async IAsyncEnumerable<TableEntity> QueryAsync(string? filter = null, IEnumerable<string>? select = null, int? maxPerPage = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var selected = select?.ToList();
        string? continuationToken = null;
        do
        {
            var page = await QueryPageAsync(filter, selected, maxPerPage, continuationToken, cancellationToken).ConfigureAwait(false);
            foreach (var entity in page.Items)
                yield return entity;
            continuationToken = page.ContinuationToken;
        }
        while (continuationToken is not null);
    }

    /// <summary>One page; pass the previous page's token to continue.</summary>
    /// <remarks>
    /// A page holds at most 1,000 entities and may be empty while a token still follows; the continuation repeats the
    /// original $filter/$select/$top. https://learn.microsoft.com/rest/api/storageservices/query-timeout-and-pagination
    /// </remarks>
    public async Task<TablePage> QueryPageAsync(string? filter, IEnumerable<string>? select, int? top, string? continuationToken, CancellationToken cancellationToken = default)
    {
        if (top is < 1 or > 1000)
            throw new ArgumentOutOfRangeException(nameof(top), top, "$top must be between 1 and 1000.");
        using var request = CreateRequest(RequestMethod.Get, Name + "()");
        if (!string.IsNullOrEmpty(filter))
            request.Uri.AppendQuery("$filter", filter, escapeValue: true);
        AppendSelect(request, select);
        if (top is { } pageSize)
            request.Uri.AppendQuery("$top", pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture), escapeValue: false);
        if (continuationToken is not null)
        {
            var (nextPartitionKey, nextRowKey) = ParseContinuationToken(continuationToken);
            request.Uri.AppendQuery("NextPartitionKey", nextPartitionKey, escapeValue: true);
            if (nextRowKey is not null)
                request.Uri.AppendQuery("NextRowKey", nextRowKey, escapeValue: true);
        }

        using var response = await _pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status != 200)
            throw StorageErrors.Create(response);

        using var json = JsonDocument.Parse(response.Content.ToMemory());
        var items = json.RootElement.TryGetProperty("value", out var value)
            ? value.EnumerateArray().Select(element => TableEntityJson.Read(element, etagHeader: null)).ToList()
            : [];
        response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var nextPartition);
        response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nextRow);
        return new TablePage(items, FormatContinuationToken(nextPartition, nextRow));
    }

    private async Task<ETag> WriteEntityAsync(TableEntity entity, ETag? ifMatch, TableUpdateMode mode, CancellationToken cancellationToken)
    {
        ValidateEntity(entity);
        // Without If-Match, PUT is insert-or-replace and MERGE insert-or-merge; with it, a conditional update.
        var method = mode == TableUpdateMode.Replace ? RequestMethod.Put : Merge;
        using var request = CreateRequest(method, TableKeys.EntityPath(Name, entity.PartitionKey, entity.RowKey));
        if (ifMatch is { } etag)
            request.Headers.SetValue("If-Match", etag.ToString());
        SetJsonContent(request, TableEntityJson.Write(entity));
        using var response = await _pipeline.SendRequestAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status != 204)
            throw StorageErrors.Create(response);
        return UpdateETag(entity, response);
    }

    private Request CreateRequest(RequestMethod method, string escapedPath)
    {
        var request = _pipeline.CreateRequest();
        request.Method = method;
        request.Uri.Reset(new Uri(_endpoint + "/" + escapedPath));
        // minimalmetadata keeps the @odata.type annotations for Int64/DateTime/Guid/Binary on reads.
        request.Headers.SetValue("Accept", "application/json;odata=minimalmetadata");
        request.Headers.SetValue("DataServiceVersion", "3.0;NetFx");
        request.Headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        return request;
    }

    private static void SetJsonContent(Request request, byte[] body)
    {
        request.Headers.SetValue("Content-Type", "application/json");
        request.Content = RequestContent.Create(body);
    }

    private static void AppendSelect(Request request, IEnumerable<string>? select)
    {
        if (select is null)
            return;
        // The keys are always selected so that every returned entity can be built.
        var columns = new[] { "PartitionKey", "RowKey", "Timestamp" }.Concat(select).Distinct(StringComparer.Ordinal);
        request.Uri.AppendQuery("$select", string.Join(',', columns), escapeValue: true);
    }

    // A 404 for the entity, not for the table: a missing table is a deployment error that must surface.
    private static bool IsMissingEntity(Response response) =>
        response.Status == 404 && StorageErrors.Create(response).ErrorCode != "TableNotFound";

    private static void ValidateEntity(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        TableKeys.Validate(entity.PartitionKey, nameof(entity.PartitionKey));
        TableKeys.Validate(entity.RowKey, nameof(entity.RowKey));
    }

    private static ETag UpdateETag(TableEntity entity, Response response)
    {
        // Kept verbatim: the value goes back unchanged in If-Match.
        if (!response.Headers.TryGetValue("ETag", out var value) || string.IsNullOrEmpty(value))
            throw new InvalidOperationException("The Table service returned no ETag.");
        entity.ETag = new ETag(value);
        return entity.ETag;
    }

    // The token joins the service's two opaque continuation values; a space cannot occur in either (they are base64-like).
    private static string? FormatContinuationToken(string? nextPartitionKey, string? nextRowKey) =>
        string.IsNullOrEmpty(nextPartitionKey) ? null
        : string.IsNullOrEmpty(nextRowKey) ? nextPartitionKey
        : nextPartitionKey + " " + nextRowKey;

    private static (string NextPartitionKey, string? NextRowKey) ParseContinuationToken(string token)
    {
        var space = token.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (token, null) : (token[..space], token[(space + 1)..]);
    }
}
