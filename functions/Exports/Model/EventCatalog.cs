namespace CleverTapSegment.Exports.Model;

/// <summary>
/// The event lists of the Segment export (https://docs.clevertap.com/docs/segmentcom, "All System Events" and "Engagement Events";
/// https://docs.clevertap.com/docs/segmentcom#export-details). The seed lists "Push Impressions" twice in both
/// tables; it is exported once. <see cref="EventSelection.Selected"/> takes any of these or custom event names.
/// </summary>
public static class EventCatalog
{
    public static IReadOnlyList<string> AllSystem { get; } =
    [
        "Notification Sent",
        "Notification Viewed",
        "Notification Clicked",
        "Push Impressions",
        "Notification Replied",
        "Control Group",
        "Channel Unsubscribed",
        "Session Concluded",
        "State Transitioned",
        "AB Experiment Rendered",
        "AB Experiment Stopped",
        "AB Experiment Rolled Out",
        "AB Experiment Disqualified",
        "Geocluster Entered",
        "Geocluster Exited",
        "Reply Sent",
        "App Version Changed",
        "App Launched",
        "App Installed",
        "App Uninstalled",
        "UTM Visited",
    ];

    public static IReadOnlyList<string> Engagement { get; } =
    [
        "Notification Sent",
        "Notification Viewed",
        "Notification Clicked",
        "Push Impressions",
        "Notification Replied",
        "Control Group",
        "Channel Unsubscribed",
        "Notification Delivered",
        "AB Experiment Rendered",
        "AB Experiment Stopped",
        "AB Experiment Rolled Out",
        "Geocluster Entered",
        "Geocluster Exited",
        "Reply Sent",
        "App Uninstalled",
        "Webhook Delivered",
        "State Transitioned",
        "UTM Visited",
    ];

    /// <summary>Longest event name accepted: generous for real names, and keeps a stored definition well inside a table entity.</summary>
    public const int MaxEventNameLength = 512;

    /// <summary>Most names one selection may list: each name is one work item per day, so keep runs bounded.</summary>
    public const int MaxSelectedNames = 100;

    /// <summary>Why <paramref name="name"/> cannot be a selected event name, or null when it can.</summary>
    public static string? ValidateEventName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            return "an event name must not be empty";
        if (name.Length > MaxEventNameLength)
            return $"an event name must be at most {MaxEventNameLength} characters";
        if (name.Any(char.IsControl))
            return "an event name must not contain control characters";
        return null;
    }
}
