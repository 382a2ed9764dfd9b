using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Api;
using CleverTapSegment.Exports.Model;
using CleverTapSegment.Exports.Storage;
using CleverTapSegment.Tests.Exports.Model;

namespace CleverTapSegment.Tests.Exports.Api;

public sealed class ExportListQueryTests
{
    [Fact]
    public void No_parameters_give_the_first_page_of_20()
    {
        var query = Read(new ExportListParameters(null, null, null, null, null, null, null, null, null));
        Assert.Equal(new ExportListQuery(), query);
        Assert.Equal(20, query!.PageSize);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("20")]
    [InlineData("30")]
    [InlineData("40")]
    public void The_offered_page_sizes_are_accepted(string pageSize) =>
        Assert.Equal(int.Parse(pageSize, System.Globalization.CultureInfo.InvariantCulture), Read(Parameters(pageSize: pageSize))!.PageSize);

    [Theory]
    [InlineData("15")]
    [InlineData("0")]
    [InlineData("50")]
    [InlineData("-10")]
    [InlineData("twenty")]
    [InlineData("20.0")]
    public void Any_other_page_size_is_refused_naming_it(string pageSize) => AssertRefused(Parameters(pageSize: pageSize), "pageSize");

    [Fact]
    public void Filters_are_read_by_their_wire_names_in_any_case()
    {
        var query = Read(new ExportListParameters("prod-source", "Profiles", "segment", "running", "RECURRING", null, null, "40", "abc"));
        Assert.Equal("prod-source", query!.Partner);
        Assert.Equal(ExportDataType.Profiles, query.DataType);
        Assert.Equal(ExportFormats.Segment, query.Format);
        Assert.Equal(ExportStatus.Running, query.Status);
        Assert.Equal(ExportFrequency.Recurring, query.Frequency);
        Assert.Equal("abc", query.Continuation);
    }

    [Theory]
    [InlineData("type", "users")]
    [InlineData("status", "PAUSED")]
    [InlineData("frequency", "weekly")]
    [InlineData("format", "csv")]
    [InlineData("exportedFrom", "yesterday")]
    public void An_unknown_filter_value_is_refused_naming_the_filter(string field, string value)
    {
        var parameters = field switch
        {
            "type" => Parameters(type: value),
            "status" => Parameters(status: value),
            "frequency" => Parameters(frequency: value),
            "format" => Parameters(format: value),
            _ => Parameters(exportedFrom: value),
        };
        AssertRefused(parameters, field);
    }

    [Fact]
    public void Exported_days_bound_whole_project_days_inclusively()
    {
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var query = Read(Parameters(exportedFrom: "2026-11-01", exportedTo: "2026-11-02"), newYork);
        Assert.Equal(OneTimeWindowTests.Utc("2026-11-01T04:00:00"), query!.ExportedFrom);
        Assert.Equal(OneTimeWindowTests.Utc("2026-11-03T05:00:00"), query.ExportedTo);
    }

    [Fact]
    public void Exported_instants_are_taken_as_given()
    {
        var query = Read(Parameters(exportedFrom: "2026-11-01T10:00:00+01:00"));
        Assert.Equal(OneTimeWindowTests.Utc("2026-11-01T09:00:00"), query!.ExportedFrom);
    }

    [Fact]
    public void An_exported_range_that_ends_before_it_starts_is_refused() =>
        AssertRefused(Parameters(exportedFrom: "2026-11-05", exportedTo: "2026-11-01"), "exportedTo");

    private static ExportListParameters Parameters(string? type = null, string? format = null, string? status = null, string? frequency = null,
        string? exportedFrom = null, string? exportedTo = null, string? pageSize = null) =>
        new(null, type, format, status, frequency, exportedFrom, exportedTo, pageSize, null);

    private static ExportListQuery? Read(ExportListParameters parameters, TimeZoneInfo? timeZone = null)
    {
        var errors = new ValidationErrors();
        var query = ExportEndpoints.ReadListQuery(parameters, timeZone ?? TimeZoneInfo.Utc, errors);
        Assert.False(errors.Any);
        return query;
    }

    private static void AssertRefused(ExportListParameters parameters, string field)
    {
        var errors = new ValidationErrors();
        Assert.Null(ExportEndpoints.ReadListQuery(parameters, TimeZoneInfo.Utc, errors));
        Assert.True(errors.Has(field));
    }
}
