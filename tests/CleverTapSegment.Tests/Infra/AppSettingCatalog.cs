using System.Collections;
using System.Reflection;
using CleverTapSegment.CleverTap;

namespace CleverTapSegment.Tests.Infra;

/// <summary>
/// The settings the app reads, derived rather than listed: every type of the functions assembly with a
/// <c>const string SectionName</c> (the options convention) contributes <c>Section__Property</c> for each public
/// settable property (nested option types recursively; dictionaries and collections as the family
/// <c>Section__Property__*</c>); every <c>%Setting%</c> a function's bindings read; and every binding's connection
/// (<c>AzureWebJobsStorage</c>), which may be given as one value or in its identity-based <c>Name__*</c> form.
/// Bindings come from <see cref="FunctionTriggers"/> (worker attributes or function.json files).
/// </summary>
internal static class AppSettingCatalog
{
    public static Assembly FunctionsAssembly => typeof(CleverTapOptions).Assembly;

    public static IReadOnlyList<AppSetting> ReadByTheApp() =>
        FromOptionsTypes().Concat(FromBindings(FunctionTriggers.All()))
            .GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First() with { ReadBy = string.Join(", ", g.Select(s => s.ReadBy).Distinct()) })
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();

    public static IEnumerable<AppSetting> FromOptionsTypes()
    {
        foreach (var type in FunctionsAssembly.GetTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var sectionField = type.GetField("SectionName", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static);
            if (sectionField is not { IsLiteral: true } || sectionField.FieldType != typeof(string))
                continue;
            var section = ((string)sectionField.GetRawConstantValue()!).Replace(":", "__", StringComparison.Ordinal);
            foreach (var setting in FromType(type, section, type.Name, depth: 0))
                yield return setting;
        }
    }

    private static IEnumerable<AppSetting> FromType(Type type, string prefix, string readBy, int depth)
    {
        if (depth > 5)
            throw new InvalidOperationException($"Options nesting deeper than 5 under {prefix}: a cycle?");
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
        {
            if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0)
                continue;
            var name = $"{prefix}__{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var owner = $"{readBy}.{property.Name}";
            if (IsScalar(propertyType))
                yield return new AppSetting(name, AppSettingKind.Single, owner);
            else if (typeof(IEnumerable).IsAssignableFrom(propertyType))
                yield return new AppSetting(name, AppSettingKind.Family, owner);
            else
            {
                foreach (var nested in FromType(propertyType, name, owner, depth + 1))
                    yield return nested;
            }
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(Uri)
        || type == typeof(TimeSpan) || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Guid);

    public static IEnumerable<AppSetting> FromBindings(IEnumerable<FunctionBinding> bindings)
    {
        foreach (var binding in bindings)
        {
            foreach (var reference in binding.SettingReferences)
                yield return new AppSetting(reference, AppSettingKind.Single, binding.DeclaredBy);
            if (binding.Connection is { Length: > 0 } connection)
                yield return new AppSetting(connection, AppSettingKind.Connection, binding.DeclaredBy);
        }
    }
}

internal enum AppSettingKind
{
    /// <summary>One value: <c>CleverTap__Region</c>.</summary>
    Single,
    /// <summary>An open family of keys (dictionary or list): <c>CleverTap__Connections__*</c>.</summary>
    Family,
    /// <summary>A connection: the value itself or its identity-based <c>Name__*</c> settings.</summary>
    Connection,
}

internal sealed record AppSetting(string Name, AppSettingKind Kind, string ReadBy)
{
    public string Display => Kind == AppSettingKind.Family ? $"{Name}__*" : Name;

    /// <summary>
    /// Whether a concrete key (interpolations as <c>*</c>) provides this setting. Case-insensitive, as .NET
    /// configuration keys are.
    /// </summary>
    public bool IsProvidedBy(string key) => Kind switch
    {
        AppSettingKind.Single => string.Equals(key, Name, StringComparison.OrdinalIgnoreCase),
        AppSettingKind.Family => key.StartsWith(Name + "__", StringComparison.OrdinalIgnoreCase),
        AppSettingKind.Connection => string.Equals(key, Name, StringComparison.OrdinalIgnoreCase) || key.StartsWith(Name + "__", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };
}
