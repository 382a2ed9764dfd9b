using System.Text;
using System.Text.Json.Nodes;

namespace CleverTapSegment.Tests.Hostile;

/// <summary>
/// The ingest endpoint's families, each case sent live (<c>api/segment</c>, delivered to the fake CleverTap) and as a
/// dry run: encoding, structure, wrong types for every field, numbers, authentication, injection-like identifiers.
/// Signed and authenticated unless the case is about exactly that.
/// </summary>
public sealed partial class HostileCorpusTests
{
    /// <summary>Authentication header lines for a body; the app's valid ones unless a case says otherwise.</summary>
    private delegate IEnumerable<string> IngestCredentials(HostileApp app, byte[] body);

    private sealed record IngestCase(byte[] Body, StatusClass Expected, IngestCredentials? Credentials = null, string? ContentType = "application/json", string Connection = "");

    private const string TrackEvent = """{"type":"track","event":"Hostile Event","userId":"hostile-user","messageId":"hostile-message","timestamp":"2026-11-22T04:00:00.000Z","properties":{"plan":"pro","plays":3}}""";

    private static readonly IngestCredentials s_valid = (app, body) => [$"Authorization: {app.BasicAuthorization}", $"X-Signature: {app.Sign(body)}"];

    private static readonly Dictionary<string, Dictionary<string, IngestCase>> s_ingest = new()
    {
        ["encoding"] = EncodingCases(),
        ["structure"] = StructureCases(),
        ["types"] = WrongTypeCases(),
        ["numbers"] = NumberCases(),
        ["authentication"] = AuthenticationCases(),
        ["identifiers"] = IdentifierCases(),
    };

    public static TheoryData<string, bool> IngestCases(string family)
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in s_ingest[family].Keys)
        {
            data.Add(name, false);
            data.Add(name, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(IngestCases), "encoding")]
    public Task Ingest_encoding(string name, bool dryRun) => IngestAsync("encoding", name, dryRun);

    [Theory]
    [MemberData(nameof(IngestCases), "structure")]
    public Task Ingest_structure(string name, bool dryRun) => IngestAsync("structure", name, dryRun);

    [Theory]
    [MemberData(nameof(IngestCases), "types")]
    public Task Ingest_wrong_types(string name, bool dryRun) => IngestAsync("types", name, dryRun);

    [Theory]
    [MemberData(nameof(IngestCases), "numbers")]
    public Task Ingest_numbers(string name, bool dryRun) => IngestAsync("numbers", name, dryRun);

    [Theory]
    [MemberData(nameof(IngestCases), "authentication")]
    public Task Ingest_authentication(string name, bool dryRun) => IngestAsync("authentication", name, dryRun);

    [Theory]
    [MemberData(nameof(IngestCases), "identifiers")]
    public Task Ingest_identifiers(string name, bool dryRun) => IngestAsync("identifiers", name, dryRun);

    private async Task IngestAsync(string family, string name, bool dryRun)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var ingest = s_ingest[family][name];
        var headers = new List<string>((ingest.Credentials ?? s_valid)(hostile, ingest.Body));
        if (ingest.ContentType is { } contentType)
            headers.Add($"Content-Type: {contentType}");
        var target = "/api/segment" + ingest.Connection + (dryRun ? "?dryRun=true" : "");

        var answer = await SendRawAsync("POST", target, headers, ingest.Body, timeout.Token);

        AssertClass($"ingest {family}{(dryRun ? " (dry run)" : "")}", name, ingest.Expected, answer);
    }

    /// <summary>Concatenates text (as UTF-8) and raw bytes.</summary>
    private static byte[] Bytes(params object[] parts) =>
        parts.SelectMany(part => part is string text ? Encoding.UTF8.GetBytes(text) : (byte[])part).ToArray();

    private static JsonNode Node(string json) => JsonNode.Parse(json)!;

    /// <summary>The JSON <paramref name="baseEvent"/> with the value at <paramref name="path"/> (<c>a.b</c>, <c>a[0].b</c>) replaced by raw JSON text.</summary>
    private static byte[] WithRaw(string baseEvent, string path, string rawValue)
    {
        const string marker = "\"__hostile_marker__\"";
        var root = Node(baseEvent);
        var segments = path.Split('.');
        var parent = root;
        foreach (var segment in segments[..^1])
            parent = Step(parent, segment);
        var last = segments[^1];
        var bracket = last.IndexOf('[', StringComparison.Ordinal);
        if (bracket < 0)
            parent.AsObject()[last] = "__hostile_marker__";
        else
            Step(parent, last[..bracket]).AsArray()[int.Parse(last[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)] = "__hostile_marker__";
        return Utf8(root.ToJsonString().Replace(marker, rawValue, StringComparison.Ordinal));

        static JsonNode Step(JsonNode node, string segment)
        {
            var open = segment.IndexOf('[', StringComparison.Ordinal);
            if (open < 0)
                return node[segment] ??= new JsonObject();
            var array = node[segment[..open]]!;
            return array[int.Parse(segment[(open + 1)..^1], System.Globalization.CultureInfo.InvariantCulture)]!;
        }
    }

    private static Dictionary<string, IngestCase> EncodingCases()
    {
        var flaws = new Dictionary<string, byte[]>
        {
            ["byte 0xFF"] = [0xFF],
            ["overlong NUL C0 80"] = [0xC0, 0x80],
            ["3-byte sequence cut short"] = [0xE2, 0x82],
            ["lone continuation byte"] = [0x80],
            ["surrogate encoded in UTF-8"] = [0xED, 0xA0, 0x80],
            ["5-byte sequence"] = [0xF8, 0x88, 0x80, 0x80, 0x80],
            ["escaped lone high surrogate"] = Utf8("\\ud800"),
            ["escaped lone low surrogate"] = Utf8("\\udc00"),
            ["escaped reversed surrogate pair"] = Utf8("\\udc00\\ud800"),
            ["escaped NUL"] = Utf8("\\u0000"),
            ["raw NUL"] = [0x00],
            ["raw control byte"] = [0x01],
            ["BOM inside"] = [0xEF, 0xBB, 0xBF],
            ["noncharacter U+FFFF"] = Utf8("\\uffff"),
        };
        var places = new Dictionary<string, Func<byte[], byte[]>>
        {
            ["event name"] = flaw => Bytes("""{"type":"track","event":"Bad""", flaw, """Name","userId":"enc-user"}"""),
            ["user id"] = flaw => Bytes("""{"type":"track","event":"Encoding","userId":"enc""", flaw, "\"}"),
            ["property value"] = flaw => Bytes("""{"type":"track","event":"Encoding","userId":"enc-user","properties":{"p":"v""", flaw, "\"}}"),
            ["property key"] = flaw => Bytes("""{"type":"track","event":"Encoding","userId":"enc-user","properties":{"k""", flaw, "\":1}}"),
            ["trait key of an identify"] = flaw => Bytes("""{"type":"identify","userId":"enc-user","traits":{"t""", flaw, "\":\"x\"}}"),
            ["second event of a batch"] = flaw => Bytes("[" + TrackEvent + """,{"type":"track","event":"E""", flaw, "\",\"userId\":\"enc-user\"}]"),
        };
        var cases = new Dictionary<string, IngestCase>();
        foreach (var (flawName, flaw) in flaws)
        {
            foreach (var (placeName, place) in places)
                cases[$"{flawName} in the {placeName}"] = new(place(flaw), StatusClass.NotServerError);
        }
        cases["BOM before the body"] = new(Bytes(new byte[] { 0xEF, 0xBB, 0xBF }, TrackEvent), StatusClass.NotServerError);
        cases["UTF-16LE body"] = new(Encoding.Unicode.GetBytes(TrackEvent), StatusClass.ClientError);
        cases["UTF-16LE body with its BOM"] = new(Bytes(new byte[] { 0xFF, 0xFE }, Encoding.Unicode.GetBytes(TrackEvent)), StatusClass.ClientError);
        cases["UTF-32 body"] = new(Encoding.UTF32.GetBytes(TrackEvent), StatusClass.ClientError);
        cases["Latin-1 body declared as such"] = new(Encoding.Latin1.GetBytes("""{"type":"track","event":"Café","userId":"enc-user"}"""), StatusClass.NotServerError, ContentType: "application/json; charset=iso-8859-1");
        return cases;
    }

    private static Dictionary<string, IngestCase> StructureCases()
    {
        var cases = new Dictionary<string, IngestCase>();
        foreach (var empty in new[] { "", " ", "\r\n", "null", "{}", "[]", "{\"batch\":[]}", "{\"batch\":null}", "{\"batch\":{}}", "{\"batch\":[null]}", "[null]", "[[]]", "[1,2]", "\"text\"", "0", "true", "[{}]", "[{},{}]", "{\"type\":null}", "{\"type\":\"\"}", "{\"\":\"\"}" })
            cases[$"empty or null form `{empty.Replace("\r\n", "CRLF", StringComparison.Ordinal)}`"] = new(Utf8(empty), StatusClass.NotServerError);
        foreach (var type in new[] { "track", "identify", "page", "screen", "group", "alias" })
        {
            cases[$"{type} with every field null"] = new(Utf8($$"""{"type":"{{type}}","event":null,"name":null,"userId":null,"anonymousId":null,"groupId":null,"previousId":null,"messageId":null,"timestamp":null,"properties":null,"traits":null,"context":null,"integrations":null}"""), StatusClass.NotServerError);
            cases[$"{type} with every field empty"] = new(Utf8("""{"type":"TYPE","event":"","name":"","userId":"","anonymousId":"","groupId":"","previousId":"","messageId":"","timestamp":"","properties":{},"traits":{},"context":{},"integrations":{}}""".Replace("TYPE", type, StringComparison.Ordinal)), StatusClass.NotServerError);
        }
        foreach (var depth in new[] { 10, 63, 64, 65, 200, 10_000 })
        {
            cases[$"properties nested {depth} objects deep"] = new(Utf8("""{"type":"track","event":"Deep","userId":"deep-user","properties":""" + string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth) + "}"), StatusClass.NotServerError);
            cases[$"properties nested {depth} arrays deep"] = new(Utf8("""{"type":"track","event":"Deep","userId":"deep-user","properties":{"a":""" + new string('[', depth) + new string(']', depth) + "}}"), StatusClass.NotServerError);
        }
        cases["5000 properties"] = new(Utf8("""{"type":"track","event":"Wide","userId":"wide-user","properties":{""" + string.Join(",", Enumerable.Range(0, 5000).Select(i => $"\"p{i}\":{i}")) + "}}"), StatusClass.NotServerError);
        cases["a 200 KB property value"] = new(WithRaw(TrackEvent, "properties.plan", "\"" + new string('v', 200 * 1024) + "\""), StatusClass.NotServerError);
        cases["a 100 KB property key"] = new(Utf8("""{"type":"track","event":"Key","userId":"key-user","properties":{""" + "\"" + new string('k', 100 * 1024) + "\":1}}"), StatusClass.NotServerError);
        cases["a 100 KB event name"] = new(WithRaw(TrackEvent, "event", "\"" + new string('e', 100 * 1024) + "\""), StatusClass.NotServerError);
        cases["a batch of 2500 small events"] = new(Utf8("[" + string.Join(",", Enumerable.Range(0, 2500).Select(i => $$"""{"type":"track","event":"Many","userId":"many-{{i}}"}""")) + "]"), StatusClass.NotServerError);
        cases["a batch of 3000 empty objects"] = new(Utf8("[" + string.Join(",", Enumerable.Repeat("{}", 3000)) + "]"), StatusClass.NotServerError);
        foreach (var (field, first, second) in new[] { ("type", "\"track\"", "\"identify\""), ("userId", "\"dup-a\"", "\"dup-b\""), ("event", "\"A\"", "\"B\""), ("properties", "{\"a\":1}", "[]"), ("messageId", "\"m1\"", "\"m2\""), ("traits", "{}", "\"x\"") })
            cases[$"duplicate key {field}"] = new(Utf8($$"""{"type":"track","event":"Dup","userId":"dup-user","{{field}}":{{first}},"{{field}}":{{second}}}"""), StatusClass.NotServerError);
        cases["duplicate property key"] = new(Utf8("""{"type":"track","event":"Dup","userId":"dup-user","properties":{"a":1,"a":"two"}}"""), StatusClass.NotServerError);
        cases["duplicate batch key"] = new(Utf8("""{"batch":[""" + TrackEvent + """],"batch":[]}"""), StatusClass.NotServerError);
        cases["trailing garbage"] = new(Utf8(TrackEvent + " x"), StatusClass.ClientError);
        cases["two objects"] = new(Utf8(TrackEvent + TrackEvent), StatusClass.ClientError);
        cases["trailing comma"] = new(Utf8(TrackEvent[..^1] + ",}"), StatusClass.ClientError);
        cases["a comment"] = new(Utf8("/* hi */" + TrackEvent), StatusClass.ClientError);
        cases["single quotes"] = new(Utf8("{'type':'track','event':'Q','userId':'q'}"), StatusClass.ClientError);
        cases["unquoted keys"] = new(Utf8("{type:\"track\"}"), StatusClass.ClientError);
        cases["unterminated string"] = new(Utf8("""{"type":"track","event":"open"""), StatusClass.ClientError);
        cases["text/plain content type"] = new(Utf8(TrackEvent), StatusClass.NotServerError, ContentType: "text/plain");
        cases["no content type"] = new(Utf8(TrackEvent), StatusClass.NotServerError, ContentType: null);
        cases["form content type"] = new(Utf8(TrackEvent), StatusClass.NotServerError, ContentType: "application/x-www-form-urlencoded");
        cases["multipart content type"] = new(Utf8(TrackEvent), StatusClass.NotServerError, ContentType: "multipart/form-data; boundary=x");
        return cases;
    }

    /// <summary>Every field of each event type given each wrong JSON type.</summary>
    private static Dictionary<string, IngestCase> WrongTypeCases()
    {
        var events = new (string Json, string[] Fields)[]
        {
            (TrackEvent, ["type", "event", "userId", "anonymousId", "messageId", "timestamp", "originalTimestamp", "sentAt", "receivedAt", "properties", "context", "integrations"]),
            ("""{"type":"identify","userId":"typed-user","traits":{"email":"a@example.com","name":"Ada"},"context":{"traits":{"plan":"pro"}}}""", ["traits", "traits.email", "context.traits"]),
            ("""{"type":"page","userId":"typed-user","name":"Home","category":"Docs","properties":{"url":"https://example.com"}}""", ["name", "category", "properties"]),
            ("""{"type":"screen","userId":"typed-user","name":"Home"}""", ["name"]),
            ("""{"type":"group","userId":"typed-user","groupId":"g-1","traits":{"name":"Org"}}""", ["groupId", "traits"]),
            ("""{"type":"alias","userId":"typed-user","previousId":"old-user"}""", ["previousId"]),
            ("""{"type":"track","event":"Order Completed","userId":"typed-user","properties":{"order_id":"o-1","revenue":12.5,"products":[{"product_id":"p-1","price":12.5,"quantity":1}]}}""", ["properties.revenue", "properties.products", "properties.order_id", "properties.products[0]"]),
            ("""{"type":"track","event":"Application Installed","userId":"typed-user","context":{"device":{"token":"tok-1","type":"android"}}}""", ["context.device", "context.device.token"]),
        };
        var wrongValues = new[] { ("a number", "12"), ("true", "true"), ("an array", "[1]"), ("an object", "{\"x\":1}"), ("null", "null"), ("an empty string", "\"\"") };
        var cases = new Dictionary<string, IngestCase>();
        foreach (var (json, fields) in events)
        {
            var type = Node(json)["type"]!.GetValue<string>() + (json.Contains("Order Completed", StringComparison.Ordinal) ? " (Order Completed)" : json.Contains("device", StringComparison.Ordinal) ? " (device)" : "");
            foreach (var field in fields)
            {
                foreach (var (valueName, value) in wrongValues)
                    cases[$"{type}.{field} as {valueName}"] = new(WithRaw(json, field, value), StatusClass.NotServerError);
            }
        }
        return cases;
    }

    private static Dictionary<string, IngestCase> NumberCases()
    {
        var numbers = new[]
        {
            "1e309", "-1e309", "1E400", "1e308", "-0", "-0.0", "0e0", "123456789012345678901234567890", "-123456789012345678901234567890",
            "1234567890.12345678901234567890", "1e-400", "5e-324", "9007199254740993", "-9223372036854775809", "18446744073709551616",
            "NaN", "Infinity", "-Infinity", "\"NaN\"", "\"Infinity\"", "01", "1.", ".5", "+1",
        };
        var places = new (string Name, string Json, string Path)[]
        {
            ("track property", TrackEvent, "properties.plays"),
            ("identify trait", """{"type":"identify","userId":"num-user","traits":{"age":30}}""", "traits.age"),
            ("Order Completed revenue", """{"type":"track","event":"Order Completed","userId":"num-user","properties":{"order_id":"o-1","revenue":1}}""", "properties.revenue"),
            ("product price", """{"type":"track","event":"Order Completed","userId":"num-user","properties":{"order_id":"o-1","products":[{"product_id":"p","price":1}]}}""", "properties.products[0].price"),
            ("timestamp", TrackEvent, "timestamp"),
        };
        var cases = new Dictionary<string, IngestCase>();
        foreach (var (placeName, json, path) in places)
        {
            foreach (var number in numbers)
                cases[$"{number} as the {placeName}"] = new(WithRaw(json, path, number), StatusClass.NotServerError);
        }
        return cases;
    }

    private static Dictionary<string, IngestCase> AuthenticationCases()
    {
        static string Basic(string value) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
        IngestCredentials Signed(params string[] authorization) => (app, body) => [.. authorization.Select(line => line.Replace("{basic}", app.BasicAuthorization, StringComparison.Ordinal)), $"X-Signature: {app.Sign(body)}"];
        IngestCredentials Authorised(Func<HostileApp, byte[], string[]> signatures) => (app, body) => [$"Authorization: {app.BasicAuthorization}", .. signatures(app, body).Select(signature => $"X-Signature: {signature}")];
        var body = Utf8(TrackEvent);
        var cases = new Dictionary<string, IngestCase>
        {
            ["no Authorization"] = new(body, StatusClass.ClientError, Signed()),
            ["wrong password"] = new(body, StatusClass.ClientError, Signed($"Authorization: {Basic(HostileApp.BasicUser + ":wrong")}")),
            ["wrong user"] = new(body, StatusClass.ClientError, (app, b) => [$"Authorization: {Basic("intruder:" + app.BasicPassword)}", $"X-Signature: {app.Sign(b)}"]),
            ["empty Basic"] = new(body, StatusClass.ClientError, Signed("Authorization: Basic ")),
            ["Basic not base64"] = new(body, StatusClass.ClientError, Signed("Authorization: Basic !!!not-base64!!!")),
            ["Basic without a colon"] = new(body, StatusClass.ClientError, Signed($"Authorization: {Basic(HostileApp.BasicUser)}")),
            ["Bearer instead of Basic"] = new(body, StatusClass.ClientError, Signed("Authorization: Bearer abc.def.ghi")),
            ["8 KB Authorization"] = new(body, StatusClass.ClientError, Signed("Authorization: Basic " + new string('A', 8 * 1024))),
            ["scheme in lower case"] = new(body, StatusClass.Success, (app, b) => [$"Authorization: basic {app.BasicAuthorization["Basic ".Length..]}", $"X-Signature: {app.Sign(b)}"]),
            ["Authorization twice, right then wrong"] = new(body, StatusClass.ClientError, Signed("Authorization: {basic}", $"Authorization: {Basic("x:y")}")),
            ["Authorization twice, both right"] = new(body, StatusClass.NotServerError, Signed("Authorization: {basic}", "Authorization: {basic}")),
            ["no X-Signature"] = new(body, StatusClass.ClientError, Authorised((_, _) => [])),
            ["empty X-Signature"] = new(body, StatusClass.ClientError, Authorised((_, _) => [""])),
            ["X-Signature of zeros"] = new(body, StatusClass.ClientError, Authorised((_, _) => [new string('0', 40)])),
            ["X-Signature in upper case"] = new(body, StatusClass.Success, Authorised((app, b) => [app.Sign(b).ToUpperInvariant()])),
            ["X-Signature with surrounding spaces"] = new(body, StatusClass.Success, Authorised((app, b) => ["  " + app.Sign(b) + "  "])),
            ["X-Signature one digit short"] = new(body, StatusClass.ClientError, Authorised((app, b) => [app.Sign(b)[..39]])),
            ["X-Signature not hex"] = new(body, StatusClass.ClientError, Authorised((_, _) => [new string('z', 40)])),
            ["X-Signature of SHA-256 length"] = new(body, StatusClass.ClientError, Authorised((_, _) => [new string('a', 64)])),
            ["X-Signature of another body"] = new(body, StatusClass.ClientError, Authorised((app, _) => [app.Sign(Utf8("{}"))])),
            ["X-Signature with another secret"] = new(body, StatusClass.ClientError, Authorised((_, b) => [Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA1.HashData("not-the-secret"u8, b))])),
            ["X-Signature twice, right then wrong"] = new(body, StatusClass.ClientError, Authorised((app, b) => [app.Sign(b), new string('0', 40)])),
            ["X-Signature twice, both right"] = new(body, StatusClass.NotServerError, Authorised((app, b) => [app.Sign(b), app.Sign(b)])),
            ["nothing at all"] = new(body, StatusClass.ClientError, (_, _) => []),
        };
        return cases;
    }

    private static Dictionary<string, IngestCase> IdentifierCases()
    {
        var identifiers = new Dictionary<string, string>
        {
            ["OData quote"] = "'",
            ["OData injection"] = "x' or PartitionKey ne 'y",
            ["OData filter text"] = "$filter=PartitionKey eq 'x'",
            ["doubled quotes"] = "''''",
            ["path traversal"] = "../../../etc/passwd",
            ["Windows path traversal"] = "..\\..\\windows\\win.ini",
            ["encoded traversal"] = "%2e%2e%2f%2e%2e%2f",
            ["script tag"] = "<script>alert(1)</script>",
            ["template lookup"] = "${jndi:ldap://127.0.0.1/x}",
            ["CRLF header injection"] = "a\r\nSet-Cookie: x=1",
            ["SQL"] = "'; DROP TABLE exports;--",
            ["right-to-left override"] = "\u202Eevil",
            ["URL characters"] = "#?&/\\:*|\"<>",
            ["10 KB id"] = new string('i', 10 * 1024),
            ["100 KB id"] = new string('i', 100 * 1024),
        };
        var fields = new (string Name, string Json, string Path)[]
        {
            ("userId", TrackEvent, "userId"),
            ("anonymousId", """{"type":"track","event":"Anon","anonymousId":"anon-1"}""", "anonymousId"),
            ("event name", TrackEvent, "event"),
            ("messageId", TrackEvent, "messageId"),
            ("email trait", """{"type":"identify","userId":"id-user","traits":{"email":"a@example.com"}}""", "traits.email"),
            ("group id", """{"type":"group","userId":"id-user","groupId":"g"}""", "groupId"),
        };
        var cases = new Dictionary<string, IngestCase>();
        foreach (var (idName, id) in identifiers)
        {
            foreach (var (fieldName, json, path) in fields)
                cases[$"{idName} as the {fieldName}"] = new(WithRaw(json, path, System.Text.Json.JsonSerializer.Serialize(id)), StatusClass.NotServerError);
        }
        // The optional {connection} route part: an unknown account is a 404; the path must never escape the route.
        foreach (var (idName, id) in identifiers.Where(pair => pair.Value.Length < 1024))
            cases[$"{idName} as the connection"] = new(Utf8(TrackEvent), StatusClass.ClientError, Connection: "/" + Uri.EscapeDataString(id));
        cases["a connection whose passcode CleverTap refuses"] = new(Utf8(TrackEvent), StatusClass.NotServerError, Connection: "/refused");
        return cases;
    }
}
