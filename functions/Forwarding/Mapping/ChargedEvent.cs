using System.Globalization;
using System.Text.Json;
using CleverTapSegment.CleverTap;

namespace CleverTapSegment.Forwarding.Mapping;

/// <summary>
/// Segment ecommerce <c>Order Completed</c> (v1 <c>Completed Order</c>) → CleverTap's <c>Charged</c> event, whose
/// <c>Items</c> is the only key allowed to nest (an array of flat objects).
/// https://segment.com/docs/connections/spec/ecommerce/v2/#order-completed ,
/// https://developer.clevertap.com/docs/upload-events-api , https://segment.com/docs/connections/destinations/catalog/clevertap/
/// </summary>
internal static class ChargedEvent
{
    public const string EventName = "Charged";

    private static readonly string[] s_orderCompletedNames = ["Order Completed", "Completed Order"];

    /// <summary>First present wins. revenue excludes shipping and tax; total and value are the fallbacks.</summary>
    private static readonly string[] s_amountProperties = ["revenue", "total", "value"];
    private static readonly string[] s_chargedIdProperties = ["order_id", "checkout_id"];
    private const string ProductsProperty = "products";

    public static bool IsOrderCompleted(string eventName)
    {
        var trimmed = eventName.AsSpan().Trim();
        foreach (var name in s_orderCompletedNames)
        {
            if (trimmed.Equals(name, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    public static UploadData Data(JsonElement properties, MappingContext context)
    {
        var data = new UploadData(16);
        string? amountSource = null, chargedIdSource = null;
        if (First(properties, s_amountProperties, out var amount) is { } amountKey)
        {
            if (amount.ValueKind == JsonValueKind.Number)
            {
                // A number CleverTap cannot hold is reported by the number rules, and not sent again as a property.
                amountSource = amountKey;
                if (NumberValues.Numeric(amountKey, amount, context) is { } value)
                    data.Set("Amount", value);
            }
            else if (AmountFromText(amount) is { } value)
            {
                data.Set("Amount", value);
                amountSource = amountKey;
            }
            else
            {
                context.Warn($"{amountKey} '{amount}' is not a number: no Amount");
            }
        }
        else
        {
            context.Warn("Order Completed has no revenue, total or value: no Amount");
        }
        if (First(properties, s_chargedIdProperties, out var chargedId) is { } chargedIdKey
            && chargedId.ValueKind is JsonValueKind.String or JsonValueKind.Number)
        {
            if (PropertyFlattener.Scalar("Charged ID", chargedId, context) is { } id)
                data.Set("Charged ID", id);
            chargedIdSource = chargedIdKey;
        }
        var productsTaken = AddItems(data, properties, context);
        ReadOnlySpan<string> consumed = [amountSource ?? "", chargedIdSource ?? "", productsTaken ? ProductsProperty : ""];
        PropertyFlattener.AddMembers(data, properties, ValueTarget.Event, context, excluded: consumed);
        return data;
    }

    private static bool AddItems(UploadData data, JsonElement properties, MappingContext context)
    {
        if (properties.ValueKind != JsonValueKind.Object || !properties.TryGetProperty(ProductsProperty, out var products)
            || products.ValueKind == JsonValueKind.Null)
            return false;
        if (products.ValueKind != JsonValueKind.Array)
        {
            context.Warn("products is not an array: sent as a plain property, no Items");
            return false;
        }
        var items = new List<UploadData>(products.GetArrayLength());
        foreach (var product in products.EnumerateArray())
        {
            if (product.ValueKind != JsonValueKind.Object)
            {
                context.Warn($"products[{items.Count}] is not an object: left out of Items");
                continue;
            }
            var item = new UploadData(10);
            PropertyFlattener.AddMembers(item, product, ValueTarget.Event, context);
            items.Add(item);
        }
        data.Set("Items", UploadValue.FromItems(items));
        return true;
    }

    private static string? First(JsonElement properties, string[] names, out JsonElement value)
    {
        value = default;
        if (properties.ValueKind != JsonValueKind.Object)
            return null;
        foreach (var name in names)
        {
            if (properties.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
                return name;
        }
        return null;
    }

    /// <summary>A string holding a number (some sources send "19.99").</summary>
    private static UploadValue? AmountFromText(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && decimal.TryParse(value.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var number)
            ? UploadValue.FromNumberLiteral(number.ToString(CultureInfo.InvariantCulture))
            : null;
}
