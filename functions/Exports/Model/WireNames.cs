using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Mapping;
using CleverTapSegment.Segment;

namespace CleverTapSegment.Exports.Model;

/// <summary>
/// The JSON/storage spelling of each enum the export API speaks (the shapes in docs/exports-api.md). One table per enum, checked
/// complete when first used, so an enum member without a wire name fails loudly instead of leaking its C# name.
/// </summary>
public static class WireNames
{
    public static WireNameTable<ExportStatus> Status { get; } = new(
    [
        (ExportStatus.Pending, "PENDING"),
        (ExportStatus.Running, "RUNNING"),
        (ExportStatus.Done, "DONE"),
        (ExportStatus.Stopped, "STOPPED"),
        (ExportStatus.Failed, "FAILED"),
    ]);

    public static WireNameTable<ExportFrequency> Frequency { get; } = new(
    [
        (ExportFrequency.OneTime, "oneTime"),
        (ExportFrequency.Recurring, "recurring"),
    ]);

    public static WireNameTable<ExportDataType> DataType { get; } = new(
    [
        (ExportDataType.Events, "events"),
        (ExportDataType.Profiles, "profiles"),
    ]);

    public static WireNameTable<EventSelection> Selection { get; } = new(
    [
        (EventSelection.AllSystem, "allSystem"),
        (EventSelection.Engagement, "engagement"),
        (EventSelection.Selected, "selected"),
    ]);

    public static WireNameTable<OneTimePreset> Preset { get; } = new(
    [
        (OneTimePreset.Yesterday, "yesterday"),
        (OneTimePreset.PreviousMonth, "previousMonth"),
        (OneTimePreset.CurrentMonth, "currentMonth"),
    ]);

    public static WireNameTable<SegmentRegion> Region { get; } = new(
    [
        (SegmentRegion.US, "US"),
        (SegmentRegion.EU, "EU"),
    ]);

    public static WireNameTable<UserIdSource> UserIdSource { get; } = new(
    [
        (Mapping.UserIdSource.Identity, "identity"),
        (Mapping.UserIdSource.Email, "email"),
        (Mapping.UserIdSource.None, "none"),
    ]);

    public static WireNameTable<AnonymousIdSource> AnonymousIdSource { get; } = new(
    [
        (Mapping.AnonymousIdSource.ObjectId, "objectId"),
        (Mapping.AnonymousIdSource.None, "none"),
    ]);
}

/// <summary>Two-way map between an enum and its wire names; parsing is case-insensitive, writing canonical.</summary>
public sealed class WireNameTable<TEnum> where TEnum : struct, Enum
{
    private readonly Dictionary<TEnum, string> _toWire;
    private readonly Dictionary<string, TEnum> _fromWire;

    public WireNameTable(IReadOnlyList<(TEnum Value, string Name)> entries)
    {
        _toWire = entries.ToDictionary(entry => entry.Value, entry => entry.Name);
        _fromWire = entries.ToDictionary(entry => entry.Name, entry => entry.Value, StringComparer.OrdinalIgnoreCase);
        var missing = Enum.GetValues<TEnum>().Where(value => !_toWire.ContainsKey(value)).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"{typeof(TEnum).Name} has no wire name for {string.Join(", ", missing)}.");
        Names = entries.Select(entry => entry.Name).ToArray();
    }

    /// <summary>All wire names, for error messages listing the valid values.</summary>
    public IReadOnlyList<string> Names { get; }

    public string ToWire(TEnum value) => _toWire[value];

    public bool TryParse(string? name, out TEnum value)
    {
        value = default;
        return name is not null && _fromWire.TryGetValue(name, out value);
    }

    /// <summary>For values read back from storage, which only ever holds names this table wrote.</summary>
    public TEnum Parse(string name) => TryParse(name, out var value)
        ? value
        : throw new FormatException($"'{name}' is not a {typeof(TEnum).Name}; expected one of {string.Join(", ", Names)}.");
}
