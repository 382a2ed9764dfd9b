using System.Text.Json;
using CleverTapSegment.CleverTap;
using CleverTapSegment.Segment;

namespace CleverTapSegment.Forwarding.Mapping;

/// <summary>
/// track, page, screen, alias, group and delete. Event names and rules follow Segment's CleverTap destination:
/// https://segment.com/docs/connections/destinations/catalog/clevertap/
/// </summary>
internal static class EventMappings
{
    public const string PageEventName = "Web Page Viewed";
    public const string ScreenEventName = "App Screen Viewed";

    /// <summary>track → custom event, name unchanged; <c>Order Completed</c> becomes <c>Charged</c>.</summary>
    public static void MapTrack(SpecEvent segmentEvent, MappingContext context)
    {
        if (segmentEvent.Event is not { } name || string.IsNullOrWhiteSpace(name))
        {
            // CleverTap rejects an event without a name (error 509). https://developer.clevertap.com/docs/api-errors
            context.Reject("track without an event name");
            return;
        }
        if (!IdentityRules.TryResolve(segmentEvent, context, out var identity))
            return;
        if (ChargedEvent.IsOrderCompleted(name))
        {
            AddEvent(segmentEvent, context, identity, ChargedEvent.EventName, ChargedEvent.Data(segmentEvent.Properties, context));
            return;
        }
        var data = new UploadData(12);
        PropertyFlattener.AddMembers(data, segmentEvent.Properties, ValueTarget.Event, context);
        AddEvent(segmentEvent, context, identity, name, data);
    }

    /// <summary>page → <c>Web Page Viewed</c> with the page's <c>name</c> and <c>category</c>.</summary>
    public static void MapPage(SpecEvent segmentEvent, MappingContext context) =>
        MapView(segmentEvent, context, PageEventName, segmentEvent.Name, segmentEvent.Category);

    /// <summary>screen → <c>App Screen Viewed</c> with the screen's <c>name</c>.</summary>
    public static void MapScreen(SpecEvent segmentEvent, MappingContext context) =>
        MapView(segmentEvent, context, ScreenEventName, segmentEvent.Name, category: null);

    private static void MapView(SpecEvent segmentEvent, MappingContext context, string eventName, string? name, string? category)
    {
        if (!IdentityRules.TryResolve(segmentEvent, context, out var identity))
            return;
        var data = new UploadData(12);
        // The call's own name / category win over the same keys in properties (Segment copies them there anyway).
        ReadOnlySpan<string> replaced = (name, category) switch
        {
            (not null, not null) => ["name", "category"],
            (not null, null) => ["name"],
            (null, not null) => ["category"],
            _ => [],
        };
        if (name is not null)
            data.Set("name", UploadValue.FromString(PropertyFlattener.CutString("name", name, context)));
        if (category is not null)
            data.Set("category", UploadValue.FromString(PropertyFlattener.CutString("category", category, context)));
        PropertyFlattener.AddMembers(data, segmentEvent.Properties, ValueTarget.Event, context, excluded: replaced);
        AddEvent(segmentEvent, context, identity, eventName, data);
    }

    /// <summary>
    /// alias → a profile found by <c>previousId</c> that gets <c>Identity</c> = <c>userId</c>. Best effort:
    /// CleverTap has no alias/merge call in the Upload API, so this only adds the new identity to the old profile
    /// (RudderStack's approach). A previousId equal to the event's valid anonymousId addresses the CleverTap ID.
    /// </summary>
    public static void MapAlias(SpecEvent segmentEvent, MappingContext context)
    {
        var previousId = segmentEvent.PreviousId;
        var userId = segmentEvent.UserId;
        if (previousId is null || userId is null)
        {
            context.Reject("alias needs both previousId and userId");
            return;
        }
        var byCleverTapId = previousId == segmentEvent.AnonymousId && ValueRules.IsValidCleverTapId(previousId);
        var profile = new UploadData(1);
        profile.Set("Identity", UploadValue.FromString(userId));
        var previous = byCleverTapId ? new RecordIdentity(null, previousId) : new RecordIdentity(previousId, null);
        context.AddRecord(UploadRecordType.Profile, previous, segmentEvent, profile);
    }

    /// <summary>
    /// group → the user's profile with <c>group_id</c> and <c>group_&lt;trait&gt;</c> attributes. CleverTap has no
    /// account/group object, so the membership is written onto the user (a documented choice of this bridge).
    /// </summary>
    public static void MapGroup(SpecEvent segmentEvent, MappingContext context)
    {
        if (segmentEvent.GroupId is not { } groupId)
        {
            context.Reject("group without a groupId");
            return;
        }
        if (!IdentityRules.TryResolve(segmentEvent, context, out var identity))
            return;
        var profile = new UploadData(8);
        profile.Set("group_id", UploadValue.FromString(PropertyFlattener.CutString("group_id", groupId, context)));
        PropertyFlattener.AddMembers(profile, segmentEvent.Traits, ValueTarget.Profile, context, keyPrefix: "group");
        context.AddRecord(UploadRecordType.Profile, identity, segmentEvent, profile);
    }

    /// <summary>delete → the CleverTap delete-profiles call for the userId.
    /// https://developer.clevertap.com/docs/delete-user-profile-api</summary>
    public static void MapDelete(SpecEvent segmentEvent, MappingContext context)
    {
        if (segmentEvent.UserId is { } userId)
            context.Delete(userId);
        else
            context.Reject("delete without a userId");
    }

    private static void AddEvent(SpecEvent segmentEvent, MappingContext context, RecordIdentity identity, string name, UploadData data)
    {
        PropertyFlattener.CheckEventPropertyCount(data, context);
        context.AddRecord(UploadRecordType.Event, identity, segmentEvent, data, name);
    }
}
