using System.Diagnostics.Metrics;
using CleverTapSegment.Forwarding;
using CleverTapSegment.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CleverTapSegment.Tests.Telemetry;

public sealed class BridgeTelemetryTests
{
    private static (BridgeTelemetry Telemetry, IngestStatsRecorder Stats, ServiceProvider Services) Create()
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var stats = new IngestStatsRecorder(new FakeTimeProvider(DateTimeOffset.Parse("2026-11-30T10:00:00Z")));
        return (new BridgeTelemetry(services.GetRequiredService<IMeterFactory>(), stats), stats, services);
    }

    [Fact]
    public void An_answered_request_counts_each_event_by_status_on_the_meter_and_in_the_dashboard_counts()
    {
        var (telemetry, stats, services) = Create();
        using var _ = services;
        var measured = new List<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BridgeTelemetry.Name)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measured.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();

        telemetry.IngestAnswered("default",
        [
            new EventResult(0, "m-0", "track", EventStatus.Delivered),
            new EventResult(1, "m-1", "track", EventStatus.Delivered),
            new EventResult(2, "m-2", "identify", EventStatus.Rejected, "no identifier: the event has neither userId nor anonymousId"),
            new EventResult(3, "m-3", "track", EventStatus.Skipped, "CleverTap is turned off in integrations"),
        ]);

        Assert.Contains(measured, m => m is { Instrument: "bridge.ingest.events.received", Value: 4 } && (string?)m.Tags[BridgeTelemetry.AccountTag] == "default");
        Assert.Contains(measured, m => m is { Instrument: "bridge.ingest.events.delivered", Value: 2 });
        // Only the reason's category becomes a dimension: per-event details would explode the number of series.
        Assert.Contains(measured, m => m is { Instrument: "bridge.ingest.events.rejected", Value: 1 } && (string?)m.Tags[BridgeTelemetry.ReasonTag] == "no identifier");
        Assert.Contains(measured, m => m is { Instrument: "bridge.ingest.events.skipped", Value: 1 });
        var tally = stats.PeekTallies()["default"];
        Assert.Equal((4, 2, 1), (tally.ReceivedCount, tally.DeliveredCount, tally.SkippedCount));
        Assert.Equal(1, tally.Rejected["no identifier"]);
    }

    [Fact]
    public void The_last_upload_and_the_last_error_are_kept_per_account()
    {
        var (telemetry, stats, services) = Create();
        using var _ = services;

        telemetry.UploadSucceeded("default", "delivered", 1000);
        telemetry.UploadFailed("eu", "unavailable", 10, "CleverTap answered 503");

        Assert.NotNull(stats.LatestByAccount["default"].LastSuccessfulUploadAt);
        Assert.Null(stats.LatestByAccount["default"].LastError);
        Assert.Equal("CleverTap answered 503", stats.LatestByAccount["eu"].LastError);
    }

    [Theory]
    [InlineData("invalid UTF-8 in a string value at 'properties.title'", "invalid UTF-8 in a string value at 'properties.title'")]
    [InlineData("no identifier: the event has neither userId nor anonymousId", "no identifier")]
    public void A_reason_becomes_its_category(string reason, string category) =>
        Assert.Equal(category, BridgeTelemetry.ReasonCategory(reason));

    [Fact]
    public void An_entra_authentication_string_selects_the_user_assigned_identity_and_anything_else_none()
    {
        Assert.NotNull(TelemetryComposition.EntraCredential("ClientId=00000000-0000-0000-0000-000000000001;Authorization=AAD"));
        Assert.NotNull(TelemetryComposition.EntraCredential("Authorization=AAD"));
        Assert.Null(TelemetryComposition.EntraCredential(null));
        Assert.Null(TelemetryComposition.EntraCredential("InstrumentationKey=abc"));
    }
}
