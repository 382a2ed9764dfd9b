using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Mapping;
using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Storage;
using CleverTapSegment.Segment;
using CleverTapSegment.Tests.Exports.Model;

namespace CleverTapSegment.Tests.Exports.Api;

[Collection("Azurite")]
public sealed class ExportStoreTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset s_now = OneTimeWindowTests.Utc("2026-11-22T10:00:00");

    private async Task<ExportStore> NewStoreAsync()
    {
        var partners = await azurite.CreateTableAsync("p");
        var exports = await azurite.CreateTableAsync("e");
        return new ExportStore(azurite.TableServiceClient, partners.Name, exports.Name);
    }

    [Fact]
    public async Task A_partner_round_trips_and_is_found_ignoring_case()
    {
        var store = await NewStoreAsync();
        Assert.True(await store.TryAddPartnerAsync(Partner("Prod-Source")));

        var read = await store.GetPartnerAsync("prod-source");

        Assert.NotNull(read);
        Assert.Equal("Prod-Source", read.Nickname);
        Assert.Equal("wk_secret_1234", read.WriteKey);
        Assert.Equal(SegmentRegion.EU, read.Region);
        Assert.Equal(UserIdSource.Email, read.UserIdSource);
        Assert.Equal(AnonymousIdSource.None, read.AnonymousIdSource);
        Assert.Equal(s_now, read.CreatedAt);
    }

    [Fact]
    public async Task A_second_partner_with_the_same_nickname_in_other_case_is_refused()
    {
        var store = await NewStoreAsync();
        Assert.True(await store.TryAddPartnerAsync(Partner("prod")));
        Assert.False(await store.TryAddPartnerAsync(Partner("PROD")));
        Assert.Single(await store.ListPartnersAsync());
    }

    [Fact]
    public async Task A_partner_replace_with_a_stale_etag_is_refused()
    {
        var store = await NewStoreAsync();
        await store.TryAddPartnerAsync(Partner("prod"));
        var first = (await store.GetPartnerAsync("prod"))!;
        Assert.True(await store.TryReplacePartnerAsync(first.With(writeKey: "wk_new_5678")));

        Assert.False(await store.TryReplacePartnerAsync(first.With(writeKey: "wk_lost_0000")));
        Assert.Equal("wk_new_5678", (await store.GetPartnerAsync("prod"))!.WriteKey);
    }

    [Fact]
    public async Task A_deleted_partner_is_gone()
    {
        var store = await NewStoreAsync();
        await store.TryAddPartnerAsync(Partner("prod"));
        await store.DeletePartnerAsync("prod");
        Assert.Null(await store.GetPartnerAsync("prod"));
    }

    [Theory]
    [InlineData(ExportStatus.Pending, true)]
    [InlineData(ExportStatus.Running, true)]
    [InlineData(ExportStatus.Done, false)]
    [InlineData(ExportStatus.Stopped, false)]
    public async Task A_partner_is_in_use_only_by_live_exports(ExportStatus status, bool inUse)
    {
        var store = await NewStoreAsync();
        await store.CreateAsync(OneTimeExport("prod", s_now) with { Status = status });
        await store.CreateAsync(OneTimeExport("other", s_now.AddSeconds(1)));

        Assert.Equal(inUse, await store.IsPartnerInUseAsync("prod"));
    }

    [Fact]
    public async Task An_events_export_round_trips_with_its_window_and_selection()
    {
        var store = await NewStoreAsync();
        var export = OneTimeExport("prod", s_now) with
        {
            Events = new ExportEvents(EventSelection.Selected, ["Charged", "Café ☕ ordered"]),
            Counters = new ExportCounters(10, 2, 1),
            LastRunAt = s_now,
            CurrentRunId = "run-1",
        };
        var created = await store.CreateAsync(export);

        var read = await store.GetAsync(export.Id);

        Assert.NotNull(read);
        Assert.Equal(created.ETag, read.ETag);
        Assert.Equal(EventSelection.Selected, read.Events!.Selection);
        Assert.Equal(["Charged", "Café ☕ ordered"], read.Events.Names);
        Assert.Equal(export.OneTime, read.OneTime);
        Assert.Equal(export.OneTimeWindow, read.OneTimeWindow);
        Assert.Equal(export with { Events = read.Events, ETag = read.ETag }, read);
    }

    [Fact]
    public async Task A_recurring_profiles_export_round_trips()
    {
        var store = await NewStoreAsync();
        var export = RecurringExport("prod", s_now) with { DataType = ExportDataType.Profiles, Events = null, ProfileEvent = "App Launched" };
        await store.CreateAsync(export);

        var read = await store.GetAsync(export.Id);

        Assert.Equal(export with { ETag = read!.ETag }, read);
    }

    [Fact]
    public async Task An_unknown_or_malformed_id_reads_as_missing()
    {
        var store = await NewStoreAsync();
        Assert.Null(await store.GetAsync(ExportIds.New(s_now)));
        Assert.Null(await store.GetAsync("not an id"));
    }

    [Fact]
    public async Task A_replace_with_a_stale_etag_is_refused()
    {
        var store = await NewStoreAsync();
        var created = await store.CreateAsync(RecurringExport("prod", s_now));
        Assert.True(await store.TryReplaceAsync(created with { Status = ExportStatus.Running }));

        Assert.False(await store.TryReplaceAsync(created with { Status = ExportStatus.Stopped }));
        Assert.Equal(ExportStatus.Running, (await store.GetAsync(created.Id))!.Status);
    }

    [Fact]
    public async Task Due_exports_are_pending_ones_whose_next_run_has_come()
    {
        var store = await NewStoreAsync();
        var due = await store.CreateAsync(RecurringExport("prod", s_now) with { NextRunAt = s_now.AddMinutes(-1) });
        var exactlyDue = await store.CreateAsync(RecurringExport("prod", s_now.AddSeconds(1)) with { NextRunAt = s_now });
        await store.CreateAsync(RecurringExport("prod", s_now.AddSeconds(2)) with { NextRunAt = s_now.AddMinutes(1) });
        await store.CreateAsync(RecurringExport("prod", s_now.AddSeconds(3)) with { NextRunAt = s_now.AddMinutes(-1), Status = ExportStatus.Running });
        await store.CreateAsync(RecurringExport("prod", s_now.AddSeconds(4)) with { NextRunAt = null, Status = ExportStatus.Stopped });

        var found = await store.QueryDueAsync(s_now);

        Assert.Equal(new[] { due.Id, exactlyDue.Id }.Order(), found.Select(export => export.Id).Order());
    }

    [Fact]
    public async Task Pages_are_full_newest_first_and_end_with_no_continuation()
    {
        var store = await NewStoreAsync();
        var ids = new List<string>();
        for (var i = 0; i < 25; i++)
            ids.Add((await store.CreateAsync(OneTimeExport("prod", s_now.AddMinutes(i)))).Id);

        var seen = new List<string>();
        var sizes = new List<int>();
        string? continuation = null;
        do
        {
            var page = await store.ListAsync(new ExportListQuery { PageSize = 10, Continuation = continuation });
            sizes.Add(page.Items.Count);
            seen.AddRange(page.Items.Select(export => export.Id));
            continuation = page.Continuation;
        }
        while (continuation is not null);

        Assert.Equal([10, 10, 5], sizes);
        Assert.Equal(Enumerable.Reverse(ids), seen);
    }

    [Fact]
    public async Task A_page_that_exactly_ends_the_list_has_no_continuation()
    {
        var store = await NewStoreAsync();
        for (var i = 0; i < 10; i++)
            await store.CreateAsync(OneTimeExport("prod", s_now.AddMinutes(i)));

        var page = await store.ListAsync(new ExportListQuery { PageSize = 10 });

        Assert.Equal(10, page.Items.Count);
        Assert.Null(page.Continuation);
    }

    [Fact]
    public async Task Filters_combine_and_still_fill_pages()
    {
        var store = await NewStoreAsync();
        var wanted = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            var export = i % 3 == 0
                ? RecurringExport("prod", s_now.AddMinutes(i)) with { Status = ExportStatus.Running }
                : OneTimeExport(i % 2 == 0 ? "prod" : "staging", s_now.AddMinutes(i));
            await store.CreateAsync(export);
            if (i % 3 != 0 && i % 2 == 0)
                wanted.Add(export.Id);
        }

        var page = await store.ListAsync(new ExportListQuery
        {
            Partner = "prod",
            Frequency = ExportFrequency.OneTime,
            Status = ExportStatus.Pending,
            DataType = ExportDataType.Events,
            Format = ExportFormats.Segment,
            PageSize = 10,
        });

        Assert.Equal(Enumerable.Reverse(wanted), page.Items.Select(export => export.Id));
        Assert.Null(page.Continuation);
        Assert.Empty((await store.ListAsync(new ExportListQuery { DataType = ExportDataType.Profiles })).Items);
    }

    [Fact]
    public async Task Exported_on_is_the_last_run_or_else_the_creation_time()
    {
        var store = await NewStoreAsync();
        var ranYesterday = await store.CreateAsync(OneTimeExport("prod", s_now.AddDays(-5)) with { LastRunAt = s_now.AddDays(-1) });
        var createdYesterday = await store.CreateAsync(OneTimeExport("prod", s_now.AddDays(-1).AddMinutes(1)));
        await store.CreateAsync(OneTimeExport("prod", s_now.AddDays(-5).AddMinutes(1)));

        var page = await store.ListAsync(new ExportListQuery { ExportedFrom = s_now.AddDays(-2), ExportedTo = s_now });

        Assert.Equal([createdYesterday.Id, ranYesterday.Id], page.Items.Select(export => export.Id));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("djE6Li4vZXRj")]
    public async Task A_continuation_the_store_did_not_issue_is_refused(string continuation)
    {
        var store = await NewStoreAsync();
        await Assert.ThrowsAsync<FormatException>(() => store.ListAsync(new ExportListQuery { Continuation = continuation }));
    }

    private static Partner Partner(string nickname) => new()
    {
        Nickname = nickname,
        WriteKey = "wk_secret_1234",
        Region = SegmentRegion.EU,
        UserIdSource = UserIdSource.Email,
        AnonymousIdSource = AnonymousIdSource.None,
        CreatedAt = s_now,
        UpdatedAt = s_now,
    };

    private static ExportDefinition OneTimeExport(string partner, DateTimeOffset createdAt) => new()
    {
        Id = ExportIds.New(createdAt),
        Partner = partner,
        DataType = ExportDataType.Events,
        Events = new ExportEvents(EventSelection.AllSystem, []),
        Frequency = ExportFrequency.OneTime,
        OneTime = new OneTimeRequest(OneTimeWindowTests.Day("2026-11-01"), OneTimeWindowTests.Day("2026-11-03"), null),
        OneTimeWindow = new ExportWindow(OneTimeWindowTests.Utc("2026-11-01T00:00:00"), OneTimeWindowTests.Utc("2026-11-04T00:00:00")),
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
        NextRunAt = createdAt,
    };

    private static ExportDefinition RecurringExport(string partner, DateTimeOffset createdAt) => new()
    {
        Id = ExportIds.New(createdAt),
        Partner = partner,
        DataType = ExportDataType.Events,
        Events = new ExportEvents(EventSelection.Engagement, []),
        Frequency = ExportFrequency.Recurring,
        Recurring = new RecurringSchedule(6, OneTimeWindowTests.Day("2026-11-23")),
        CreatedAt = createdAt,
        UpdatedAt = createdAt,
        NextRunAt = OneTimeWindowTests.Utc("2026-11-23T00:00:00"),
    };
}
