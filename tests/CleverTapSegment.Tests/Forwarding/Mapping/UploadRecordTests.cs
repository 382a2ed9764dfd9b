using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CleverTapSegment.CleverTap;

namespace CleverTapSegment.Tests.Forwarding.Mapping;

public sealed class UploadRecordTests
{
    [Fact]
    public void Event_record_is_written_in_the_upload_api_shape()
    {
        var data = new UploadData();
        data.Set("Amount", UploadValue.FromNumberLiteral("22.50"));
        data.Set("Charged ID", UploadValue.FromString("o-1"));
        var item = new UploadData();
        item.Set("sku", UploadValue.FromString("a"));
        item.Set("quantity", UploadValue.FromInteger(2));
        data.Set("Items", UploadValue.FromItems([item]));
        data.Set("gift", UploadValue.FromBoolean(false));
        var record = new UploadRecord { Type = UploadRecordType.Event, Identity = "u-1", Timestamp = 1615377562, EventName = "Charged", Data = data };

        AssertWrites(record, """
            {"type":"event","identity":"u-1","ts":1615377562,"evtName":"Charged",
             "evtData":{"Amount":22.50,"Charged ID":"o-1","Items":[{"sku":"a","quantity":2}],"gift":false}}
            """);
    }

    [Fact]
    public void Profile_record_writes_multi_value_strings_as_an_array()
    {
        var data = new UploadData();
        data.Set("Email", UploadValue.FromString("a@example.com"));
        data.Set("tags", UploadValue.FromStrings(["x", "y"]));
        var record = new UploadRecord { Type = UploadRecordType.Profile, ObjectId = "anon-1", Data = data };

        AssertWrites(record, """{"type":"profile","objectId":"anon-1","profileData":{"Email":"a@example.com","tags":["x","y"]}}""");
    }

    [Fact]
    public void Token_record_writes_token_data()
    {
        var record = new UploadRecord { Type = UploadRecordType.Token, ObjectId = "anon-1", Token = new DeviceToken("tok", "fcm") };

        AssertWrites(record, """{"type":"token","objectId":"anon-1","tokenData":{"id":"tok","type":"fcm"}}""");
    }

    [Fact]
    public void Data_built_as_a_json_object_converts_to_flat_values()
    {
        UploadData data = new JsonObject
        {
            ["name"] = "x",
            ["count"] = 3,
            ["price"] = 1.5,
            ["ok"] = true,
            ["tags"] = new JsonArray("a", "b"),
            ["Items"] = new JsonArray(new JsonObject { ["sku"] = "s" }),
            ["skipped"] = null,
        };
        var record = new UploadRecord { Type = UploadRecordType.Event, Identity = "u", EventName = "e", Data = data };

        AssertWrites(record, """
            {"type":"event","identity":"u","evtName":"e",
             "evtData":{"name":"x","count":3,"price":1.5,"ok":true,"tags":["a","b"],"Items":[{"sku":"s"}]}}
            """);
        Assert.True(data.TryGetValue("count", out var count));
        Assert.Equal(3, count.Integer);
    }

    private static void AssertWrites(UploadRecord record, string expectedJson)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            record.WriteTo(writer);
        var actual = JsonNode.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
        var expected = JsonNode.Parse(expectedJson);
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected!.ToJsonString()}\nactual   {actual!.ToJsonString()}");
    }
}
