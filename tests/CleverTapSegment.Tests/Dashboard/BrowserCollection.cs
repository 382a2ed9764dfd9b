namespace CleverTapSegment.Tests.Dashboard;

/// <summary>
/// The browser scenarios run one at a time, and apart from the other tests (xunit runs such a collection after the
/// parallel ones): each starts Azurite, the app and Chromium, whose load would otherwise eat into the deadlines of
/// the ingest tests that run beside them on a small machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "Dashboard in a browser";
}
