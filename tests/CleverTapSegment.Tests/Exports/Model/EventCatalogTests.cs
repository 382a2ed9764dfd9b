using CleverTapSegment.Exports.Model;

namespace CleverTapSegment.Tests.Exports.Model;

public sealed class EventCatalogTests
{
    [Fact]
    public void All_system_events_are_the_seed_table_without_its_repeated_row()
    {
        Assert.Equal(21, EventCatalog.AllSystem.Count);
        Assert.Equal(EventCatalog.AllSystem.Count, EventCatalog.AllSystem.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("App Launched", EventCatalog.AllSystem);
        Assert.Contains("UTM Visited", EventCatalog.AllSystem);
        Assert.DoesNotContain("Webhook Delivered", EventCatalog.AllSystem);
    }

    [Fact]
    public void Engagement_events_include_the_delivery_events_the_system_list_lacks()
    {
        Assert.Equal(18, EventCatalog.Engagement.Count);
        Assert.Equal(EventCatalog.Engagement.Count, EventCatalog.Engagement.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("Notification Delivered", EventCatalog.Engagement);
        Assert.Contains("Webhook Delivered", EventCatalog.Engagement);
        Assert.DoesNotContain("App Launched", EventCatalog.Engagement);
    }

    [Fact]
    public void A_selection_resolves_to_its_list_or_its_names()
    {
        Assert.Same(EventCatalog.AllSystem, new ExportEvents(EventSelection.AllSystem, []).Resolve());
        Assert.Same(EventCatalog.Engagement, new ExportEvents(EventSelection.Engagement, []).Resolve());
        Assert.Equal(["Charged", "Café ☕ ordered"], new ExportEvents(EventSelection.Selected, ["Charged", "Café ☕ ordered"]).Resolve());
    }

    [Theory]
    [InlineData("Charged")]
    [InlineData("Custom Event: signup/complete")]
    [InlineData("注文完了 🎉")]
    public void Custom_event_names_are_accepted(string name) => Assert.Null(EventCatalog.ValidateEventName(name));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bad\u0001name")]
    [InlineData(null)]
    public void Empty_or_control_character_names_are_refused(string? name) => Assert.NotNull(EventCatalog.ValidateEventName(name));

    [Fact]
    public void Names_longer_than_the_limit_are_refused()
    {
        Assert.NotNull(EventCatalog.ValidateEventName(new string('e', EventCatalog.MaxEventNameLength + 1)));
        Assert.Null(EventCatalog.ValidateEventName(new string('e', EventCatalog.MaxEventNameLength)));
    }
}
