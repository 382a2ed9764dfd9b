using Azure;
using CleverTapSegment.Storage;

namespace CleverTapSegment.Tests.Storage;

[Collection("Azurite")]
public sealed class TableClientTests(AzuriteFixture azurite)
{
    private Task<TableClient> NewTableAsync() => azurite.CreateTableAsync();

    [Fact]
    public async Task Creating_an_existing_table_is_not_an_error()
    {
        var table = await NewTableAsync();

        await table.CreateIfNotExistsAsync();

        Assert.Empty(await table.QueryAsync().ToListAsync());
    }

    [Fact]
    public async Task Get_of_a_missing_entity_returns_null()
    {
        var table = await NewTableAsync();

        Assert.Null(await table.GetEntityIfExistsAsync("pk", "missing"));
    }

    [Fact]
    public async Task Typed_properties_round_trip()
    {
        var table = await NewTableAsync();
        var when = new DateTimeOffset(2026, 11, 22, 4, 5, 6, TimeSpan.Zero).AddTicks(1234567);
        var id = Guid.NewGuid();
        var entity = new TableEntity("pk", "rk")
        {
            ["Text"] = "héllo",
            ["Flag"] = true,
            ["Small"] = 42,
            ["Big"] = 1L << 53,
            ["Ratio"] = 2.0,
            ["When"] = when,
            ["Id"] = id,
            ["Bytes"] = new byte[] { 0, 1, 254, 255 },
        };

        var etag = await table.AddEntityAsync(entity);
        var read = await table.GetEntityIfExistsAsync("pk", "rk");

        Assert.NotNull(read);
        Assert.Equal(etag, read.ETag);
        Assert.NotNull(read.Timestamp);
        Assert.Equal("héllo", read.GetString("Text"));
        Assert.True(read.GetBoolean("Flag"));
        Assert.Equal(42, read.GetInt32("Small"));
        Assert.IsType<long>(read["Big"]);
        Assert.Equal(1L << 53, read.GetInt64("Big"));
        Assert.IsType<double>(read["Ratio"]);
        Assert.Equal(2.0, read.GetDouble("Ratio"));
        Assert.Equal(when, read.GetDateTimeOffset("When"));
        Assert.Equal(id, read.GetGuid("Id"));
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, read.GetBinary("Bytes"));
    }

    [Fact]
    public async Task Insert_of_an_existing_entity_fails_with_409_EntityAlreadyExists()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("pk", "rk"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity("pk", "rk")));

        Assert.Equal(409, error.Status);
        Assert.Equal("EntityAlreadyExists", error.ErrorCode);
    }

    [Fact]
    public async Task Upsert_merge_keeps_other_properties_and_replace_drops_them()
    {
        var table = await NewTableAsync();
        await table.UpsertEntityAsync(new TableEntity("pk", "rk") { ["A"] = "a", ["B"] = "b" }, TableUpdateMode.Replace);

        await table.UpsertEntityAsync(new TableEntity("pk", "rk") { ["B"] = "b2" }, TableUpdateMode.Merge);
        var merged = await table.GetEntityIfExistsAsync("pk", "rk");
        await table.UpsertEntityAsync(new TableEntity("pk", "rk") { ["C"] = "c" }, TableUpdateMode.Replace);
        var replaced = await table.GetEntityIfExistsAsync("pk", "rk");

        Assert.Equal("a", merged!.GetString("A"));
        Assert.Equal("b2", merged.GetString("B"));
        Assert.Equal(["C"], replaced!.Keys);
    }

    [Fact]
    public async Task Upsert_merge_inserts_a_missing_entity()
    {
        var table = await NewTableAsync();

        await table.UpsertEntityAsync(new TableEntity("pk", "new") { ["A"] = 1 });

        Assert.Equal(1, (await table.GetEntityIfExistsAsync("pk", "new"))!.GetInt32("A"));
    }

    [Theory]
    [InlineData(TableUpdateMode.Merge)]
    [InlineData(TableUpdateMode.Replace)]
    public async Task Update_with_a_stale_etag_fails_with_412(TableUpdateMode mode)
    {
        var table = await NewTableAsync();
        var entity = new TableEntity("pk", "rk") { ["Count"] = 1 };
        var original = await table.AddEntityAsync(entity);
        entity["Count"] = 2;
        var current = await table.UpdateEntityAsync(entity, original, mode);

        entity["Count"] = 3;
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.UpdateEntityAsync(entity, original, mode));

        Assert.NotEqual(original, current);
        Assert.Equal(412, error.Status);
        Assert.Equal(2, (await table.GetEntityIfExistsAsync("pk", "rk"))!.GetInt32("Count"));
    }

    [Fact]
    public async Task Update_with_the_current_etag_or_all_succeeds()
    {
        var table = await NewTableAsync();
        var entity = new TableEntity("pk", "rk") { ["Count"] = 1 };
        var etag = await table.AddEntityAsync(entity);

        entity["Count"] = 2;
        var second = await table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace);
        entity["Count"] = 3;
        await table.UpdateEntityAsync(entity, ETag.All);

        var read = await table.GetEntityIfExistsAsync("pk", "rk");
        Assert.Equal(3, read!.GetInt32("Count"));
        Assert.NotEqual(second, read.ETag);
    }

    [Fact]
    public async Task Delete_with_a_stale_etag_fails_with_412_and_keeps_the_entity()
    {
        var table = await NewTableAsync();
        var entity = new TableEntity("pk", "rk");
        var original = await table.AddEntityAsync(entity);
        await table.UpdateEntityAsync(entity, original);

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => table.DeleteEntityAsync("pk", "rk", original));

        Assert.Equal(412, error.Status);
        Assert.NotNull(await table.GetEntityIfExistsAsync("pk", "rk"));
    }

    [Fact]
    public async Task Delete_removes_the_entity_and_a_missing_one_is_not_an_error()
    {
        var table = await NewTableAsync();
        var etag = await table.AddEntityAsync(new TableEntity("pk", "rk"));

        await table.DeleteEntityAsync("pk", "rk", etag);
        await table.DeleteEntityAsync("pk", "rk");

        Assert.Null(await table.GetEntityIfExistsAsync("pk", "rk"));
    }

    [Theory]
    [InlineData("it's", "o'neil''s")]
    [InlineData("日本語", "émoji 🎉")]
    [InlineData("a b+c%d", "x&y=z;é")]
    public async Task Keys_with_quotes_and_non_ascii_characters_round_trip_and_filter(string partitionKey, string rowKey)
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity(partitionKey, rowKey) { ["V"] = 1 });
        await table.AddEntityAsync(new TableEntity(partitionKey + "x", rowKey) { ["V"] = 2 });

        var read = await table.GetEntityIfExistsAsync(partitionKey, rowKey);
        var filtered = await table.QueryAsync(TableFilter.Create($"PartitionKey eq {partitionKey} and RowKey eq {rowKey}")).ToListAsync();
        await table.UpsertEntityAsync(new TableEntity(partitionKey, rowKey) { ["V"] = 3 });
        await table.DeleteEntityAsync(partitionKey + "x", rowKey);

        Assert.Equal((partitionKey, rowKey), (read!.PartitionKey, read.RowKey));
        Assert.Equal(1, Assert.Single(filtered).GetInt32("V"));
        Assert.Equal(3, (await table.GetEntityIfExistsAsync(partitionKey, rowKey))!.GetInt32("V"));
        Assert.Single(await table.QueryAsync().ToListAsync());
    }

    [Fact]
    public async Task Query_filters_selects_and_compares_typed_values()
    {
        var table = await NewTableAsync();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 10; i++)
        {
            await table.AddEntityAsync(new TableEntity("pk", $"r{i:D2}") { ["N"] = 10_000_000_000L + i, ["At"] = start.AddDays(i), ["Other"] = "x" });
        }

        var big = await table.QueryAsync(TableFilter.Create($"N ge {10_000_000_007L}")).ToListAsync();
        var late = await table.QueryAsync(TableFilter.Create($"PartitionKey eq {"pk"} and At lt {start.AddDays(2)}"), select: ["N"]).ToListAsync();

        Assert.Equal(["r07", "r08", "r09"], big.Select(e => e.RowKey));
        Assert.Equal(["r00", "r01"], late.Select(e => e.RowKey));
        Assert.All(late, e => Assert.Equal(["N"], e.Keys));
        Assert.All(late, e => Assert.NotEqual(default, e.ETag));
    }

    [Fact]
    public async Task Query_over_more_than_1000_entities_follows_continuation_tokens()
    {
        var table = await NewTableAsync();
        const int count = 1_234;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, ct) => await table.AddEntityAsync(new TableEntity($"p{i % 3}", $"r{i:D5}") { ["I"] = i }, ct));

        var all = await table.QueryAsync().ToListAsync();
        var firstPage = await table.QueryPageAsync(null, null, null, null);
        var secondPage = await table.QueryPageAsync(null, null, null, firstPage.ContinuationToken);

        Assert.Equal(count, all.Count);
        Assert.Equal(Enumerable.Range(0, count), all.Select(e => e.GetInt32("I")!.Value).Order());
        Assert.NotNull(firstPage.ContinuationToken);
        Assert.True(firstPage.Items.Count <= 1000);
        Assert.Empty(firstPage.Items.Select(e => e.RowKey).Intersect(secondPage.Items.Select(e => e.RowKey)));
    }

    [Fact]
    public async Task Query_page_with_top_continues_with_the_same_filter()
    {
        var table = await NewTableAsync();
        for (var i = 0; i < 7; i++)
            await table.AddEntityAsync(new TableEntity("pk", $"r{i}") { ["Even"] = i % 2 == 0 });
        var filter = TableFilter.Create($"Even eq {true}");

        var rowKeys = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await table.QueryPageAsync(filter, null, 2, token);
            Assert.True(page.Items.Count <= 2);
            rowKeys.AddRange(page.Items.Select(e => e.RowKey));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(["r0", "r2", "r4", "r6"], rowKeys);
        Assert.True(pages >= 2);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\u0001b")]
    [InlineData("a\u007Fb")]
    [InlineData("a\u0085b")]
    public async Task Disallowed_key_characters_fail_before_any_call(string key)
    {
        // A table that does not exist: a call that reached the service would fail with 404, not ArgumentException.
        var table = azurite.TableServiceClient.GetTableClient(azurite.UniqueTableName());

        await Assert.ThrowsAsync<ArgumentException>(() => table.AddEntityAsync(new TableEntity("pk", key)));
        await Assert.ThrowsAsync<ArgumentException>(() => table.GetEntityIfExistsAsync(key, "rk"));
        await Assert.ThrowsAsync<ArgumentException>(() => table.DeleteEntityAsync("pk", key));
    }

    [Fact]
    public async Task Keys_over_1_KiB_fail_before_any_call()
    {
        var table = azurite.TableServiceClient.GetTableClient(azurite.UniqueTableName());

        await Assert.ThrowsAsync<ArgumentException>(() => table.UpsertEntityAsync(new TableEntity(new string('k', 513), "rk")));
        await table.CreateIfNotExistsAsync();
        await table.UpsertEntityAsync(new TableEntity(new string('k', 512), "rk"));
        Assert.NotNull(await table.GetEntityIfExistsAsync(new string('k', 512), "rk"));
    }

    [Fact]
    public async Task Operations_on_a_missing_table_fail_with_404_TableNotFound()
    {
        var table = azurite.TableServiceClient.GetTableClient(azurite.UniqueTableName());

        var insert = await Assert.ThrowsAsync<RequestFailedException>(() => table.AddEntityAsync(new TableEntity("pk", "rk")));
        var get = await Assert.ThrowsAsync<RequestFailedException>(() => table.GetEntityIfExistsAsync("pk", "rk"));
        var delete = await Assert.ThrowsAsync<RequestFailedException>(() => table.DeleteEntityAsync("pk", "rk"));

        Assert.All([insert, get, delete], error => Assert.Equal((404, "TableNotFound"), (error.Status, error.ErrorCode)));
    }
}
