namespace CleverTapSegment.Tests.Dashboard;

/// <summary>
/// The browser scenarios run one at a time: each starts Azurite, the app and Chromium, and on a small machine several
/// at once would only queue for the same cores.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    public const string Name = "Dashboard in a browser";
}
