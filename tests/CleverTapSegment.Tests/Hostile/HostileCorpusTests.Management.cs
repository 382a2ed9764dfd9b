using System.Text;
using System.Text.Json;

namespace CleverTapSegment.Tests.Hostile;

/// <summary>
/// The management API's families (partners, exports, export by id, stop, catalog, ingest stats): the key (missing,
/// wrong, malformed, duplicated), request bodies (structure, encoding, wrong types for every field, numbers) and
/// injection-like ids and query values. <c>{partner}</c> and <c>{export}</c> in a path are the suite's own partner and
/// export; <c>{unique}</c> is new for each request, so a case that creates something never collides with another.
/// </summary>
public sealed partial class HostileCorpusTests
{
    /// <summary>The key header lines; the right key unless a case says otherwise.</summary>
    private delegate IEnumerable<string> ManagementKeyLines(HostileApp app);

    private sealed record ManagementCase(string Method, string Path, StatusClass Expected, byte[]? Body = null, ManagementKeyLines? Key = null, string ContentType = "application/json");

    private const string PartnerBody = """{"nickname":"np-{unique}","writeKey":"hostile-corpus-key","region":"US"}""";
    private const string RecurringExportBody = """{"partner":"hostile-partner","dataType":"events","events":{"selection":"selected","names":["App Launched"]},"frequency":"recurring","recurring":{"everyHours":8,"startDate":"2999-01-01"}}""";
    private const string OneTimeExportBody = """{"partner":"hostile-partner","dataType":"events","events":{"selection":"all"},"frequency":"oneTime","oneTime":{"preset":"yesterday"}}""";

    private static readonly ManagementKeyLines s_rightKey = app => [$"x-functions-key: {app.AdminKey}"];

    private static readonly Dictionary<string, Dictionary<string, ManagementCase>> s_management = new()
    {
        ["key"] = KeyCases(),
        ["bodies"] = BodyCases(),
        ["types"] = ManagementWrongTypeCases(),
        ["ids and queries"] = IdCases(),
    };

    public static TheoryData<string> ManagementCases(string family)
    {
        var data = new TheoryData<string>();
        foreach (var name in s_management[family].Keys)
            data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(ManagementCases), "key")]
    public Task Management_key(string name) => ManagementAsync("key", name);

    [Theory]
    [MemberData(nameof(ManagementCases), "bodies")]
    public Task Management_bodies(string name) => ManagementAsync("bodies", name);

    [Theory]
    [MemberData(nameof(ManagementCases), "types")]
    public Task Management_wrong_types(string name) => ManagementAsync("types", name);

    [Theory]
    [MemberData(nameof(ManagementCases), "ids and queries")]
    public Task Management_ids_and_queries(string name) => ManagementAsync("ids and queries", name);

    private async Task ManagementAsync(string family, string name)
    {
        using var timeout = new CancellationTokenSource(Patience);
        var call = s_management[family][name];
        var unique = Guid.NewGuid().ToString("N")[..12];
        string Fill(string text) => text.Replace("{partner}", HostileApp.PartnerNickname, StringComparison.Ordinal)
            .Replace("{export}", hostile.ExportId, StringComparison.Ordinal).Replace("{unique}", unique, StringComparison.Ordinal);
        // Bodies are bytes (some are not UTF-8 on purpose): only those holding {unique} go through text.
        var body = call.Body is null ? []
            : call.Body.AsSpan().IndexOf("{unique}"u8) < 0 ? call.Body
            : Encoding.UTF8.GetBytes(Fill(Encoding.UTF8.GetString(call.Body)));
        var headers = new List<string>((call.Key ?? s_rightKey)(hostile));
        if (call.Body is not null)
            headers.Add($"Content-Type: {call.ContentType}");

        var answer = await SendRawAsync(call.Method, Fill(call.Path), headers, body, timeout.Token);

        AssertClass($"management {family}", name, call.Expected, answer);
    }

    // A property, not a field: the case tables of the partial files are built in an order the compiler chooses.
    private static (string Method, string Path, string? Body)[] Routes =>
    [
        ("GET", "/api/partners", null),
        ("POST", "/api/partners", PartnerBody),
        ("GET", "/api/partners/{partner}", null),
        ("PATCH", "/api/partners/{partner}", """{"region":"US"}"""),
        ("DELETE", "/api/partners/ghost-{unique}", null),
        ("GET", "/api/exports", null),
        ("POST", "/api/exports", RecurringExportBody),
        ("GET", "/api/exports/{export}", null),
        ("PATCH", "/api/exports/{export}", """{"recurring":{"everyHours":8,"startDate":"2999-01-01"}}"""),
        ("POST", "/api/exports/ghost-{unique}/stop", null),
        ("GET", "/api/catalog/events", null),
        ("GET", "/api/ingest/stats", null),
    ];

    private static Dictionary<string, ManagementCase> KeyCases()
    {
        var variants = new (string Name, StatusClass Expected, ManagementKeyLines Key)[]
        {
            ("no key", StatusClass.ClientError, _ => []),
            ("a wrong key", StatusClass.ClientError, _ => ["x-functions-key: not-the-key"]),
            ("an empty key", StatusClass.ClientError, _ => ["x-functions-key: "]),
            ("the key in upper case", StatusClass.ClientError, app => [$"x-functions-key: {app.AdminKey.ToUpperInvariant()}"]),
            ("the key with a prefix", StatusClass.ClientError, app => [$"x-functions-key: x{app.AdminKey}"]),
            ("the key cut short", StatusClass.ClientError, app => [$"x-functions-key: {app.AdminKey[..^1]}"]),
            ("an 8 KB key", StatusClass.ClientError, _ => ["x-functions-key: " + new string('k', 8 * 1024)]),
            ("the key twice, right then wrong", StatusClass.ClientError, app => [$"x-functions-key: {app.AdminKey}", "x-functions-key: wrong"]),
            ("the key twice, both right", StatusClass.NotServerError, app => [$"x-functions-key: {app.AdminKey}", $"x-functions-key: {app.AdminKey}"]),
            ("the key with spaces around it", StatusClass.NotServerError, app => [$"x-functions-key:    {app.AdminKey}   "]),
            ("the dashboard header without a key", StatusClass.ClientError, _ => ["X-Requested-With: dashboard"]),
        };
        var cases = new Dictionary<string, ManagementCase>();
        foreach (var (method, path, body) in Routes)
        {
            foreach (var (name, expected, key) in variants)
                cases[$"{method} {path} with {name}"] = new(method, path, expected, body is null ? null : Encoding.UTF8.GetBytes(body), key);
        }
        return cases;
    }

    private static Dictionary<string, ManagementCase> BodyCases()
    {
        var bodies = new Dictionary<string, byte[]>
        {
            ["an empty body"] = [],
            ["null"] = "null"u8.ToArray(),
            ["an array"] = "[]"u8.ToArray(),
            ["a string"] = "\"x\""u8.ToArray(),
            ["an empty object"] = "{}"u8.ToArray(),
            ["10,000 nested arrays"] = Encoding.UTF8.GetBytes("{\"nickname\":" + new string('[', 10_000) + new string(']', 10_000) + "}"),
            ["100 nested objects"] = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"nickname\":", 100)) + "1" + new string('}', 100)),
            ["a duplicated key"] = Encoding.UTF8.GetBytes("""{"nickname":"dup-{unique}","nickname":"dup2-{unique}","writeKey":"k","writeKey":"k2"}"""),
            ["invalid UTF-8"] = Bytes("""{"nickname":"bad""", new byte[] { 0xFF, 0xC0, 0x80 }, "\",\"writeKey\":\"k\"}"),
            ["an escaped lone surrogate"] = Encoding.UTF8.GetBytes("""{"nickname":"s\ud800-{unique}","writeKey":"k"}"""),
            ["an escaped NUL"] = Encoding.UTF8.GetBytes("""{"nickname":"n\u0000-{unique}","writeKey":"k"}"""),
            ["a raw NUL"] = Bytes("""{"nickname":"n""", new byte[] { 0 }, "\",\"writeKey\":\"k\"}"),
            ["a BOM first"] = Bytes(new byte[] { 0xEF, 0xBB, 0xBF }, """{"nickname":"bom-{unique}","writeKey":"k"}"""),
            ["trailing garbage"] = Encoding.UTF8.GetBytes("""{"nickname":"t-{unique}","writeKey":"k"} x"""),
            ["a 200 KB value"] = Encoding.UTF8.GetBytes("""{"nickname":"big-{unique}","writeKey":""" + "\"" + new string('w', 200 * 1024) + "\"}"),
            ["an unknown field"] = Encoding.UTF8.GetBytes("""{"nickname":"u-{unique}","writeKey":"k","admin":true}"""),
            ["JSON sent as text/plain"] = Encoding.UTF8.GetBytes("""{"nickname":"plain-{unique}","writeKey":"k"}"""),
        };
        var cases = new Dictionary<string, ManagementCase>();
        foreach (var (method, path) in new[] { ("POST", "/api/partners"), ("PATCH", "/api/partners/{partner}"), ("POST", "/api/exports"), ("PATCH", "/api/exports/{export}") })
        {
            foreach (var (name, body) in bodies)
            {
                // Strict bodies: every one of these is refused, except an empty patch, which changes nothing, and a
                // leading BOM, which JSON readers may ignore (https://www.rfc-editor.org/rfc/rfc8259#section-8.1).
                var expected = (method == "PATCH" && name == "an empty object") || name == "a BOM first" ? StatusClass.NotServerError : StatusClass.ClientError;
                cases[$"{method} {path} with {name}"] = new(method, path, expected, body, ContentType: name.Contains("text/plain", StringComparison.Ordinal) ? "text/plain" : "application/json");
            }
        }
        return cases;
    }

    /// <summary>Every field of a partner and of an export given each wrong JSON type, and hostile numbers for the one numeric field.</summary>
    private static Dictionary<string, ManagementCase> ManagementWrongTypeCases()
    {
        var wrongValues = new[] { ("a number", "12", StatusClass.ClientError), ("true", "true", StatusClass.ClientError), ("an array", "[1]", StatusClass.ClientError), ("an object", "{\"x\":1}", StatusClass.ClientError), ("null", "null", StatusClass.NotServerError), ("an empty string", "\"\"", StatusClass.ClientError) };
        var targets = new (string Method, string Path, string Body, string[] Fields)[]
        {
            ("POST", "/api/partners", PartnerBody, ["nickname", "writeKey", "region", "userIdSource", "anonymousIdSource"]),
            ("PATCH", "/api/partners/{partner}", """{"region":"US","userIdSource":"identity"}""", ["region", "userIdSource", "writeKey"]),
            ("POST", "/api/exports", RecurringExportBody, ["partner", "dataType", "events", "events.selection", "events.names", "frequency", "recurring", "recurring.everyHours", "recurring.startDate"]),
            ("POST", "/api/exports", OneTimeExportBody, ["oneTime", "oneTime.preset"]),
            ("PATCH", "/api/exports/{export}", """{"recurring":{"everyHours":8,"startDate":"2999-01-01"},"events":{"selection":"selected","names":["App Launched"]}}""", ["recurring", "recurring.everyHours", "recurring.startDate", "events.names"]),
        };
        var cases = new Dictionary<string, ManagementCase>();
        foreach (var (method, path, body, fields) in targets)
        {
            foreach (var field in fields)
            {
                foreach (var (valueName, value, expected) in wrongValues)
                {
                    // An empty string is a wrong type only where an object or array is expected; in a string field it is an invalid value (400) all the same.
                    cases[$"{method} {path}: {field} as {valueName}"] = new(method, path, expected, WithRaw(body, field, value));
                }
            }
        }
        foreach (var number in new[] { "1e309", "-0", "0", "-8", "8.5", "\"8\"", "123456789012345678901234567890", "2147483648", "NaN", "1E400", "4e0" })
        {
            cases[$"POST /api/exports: recurring.everyHours as {number}"] = new("POST", "/api/exports", StatusClass.NotServerError, WithRaw(RecurringExportBody, "recurring.everyHours", number));
            cases[$"PATCH /api/exports/{{export}}: recurring.everyHours as {number}"] = new("PATCH", "/api/exports/{export}", StatusClass.NotServerError,
                WithRaw("""{"recurring":{"everyHours":8,"startDate":"2999-01-01"}}""", "recurring.everyHours", number));
        }
        return cases;
    }

    private static Dictionary<string, ManagementCase> IdCases()
    {
        var ids = new Dictionary<string, string>
        {
            ["an OData quote"] = "'",
            ["an OData injection"] = "x' or PartitionKey ne 'y",
            ["doubled quotes"] = "''''",
            ["an OData filter"] = "$filter=RowKey gt ''",
            ["path traversal"] = "../../../etc/passwd",
            ["encoded traversal"] = "%2e%2e%2f",
            ["a backslash traversal"] = "..\\..\\win.ini",
            ["a script tag"] = "<script>alert(1)</script>",
            ["CRLF"] = "a\r\nSet-Cookie: x=1",
            ["a NUL"] = "a\0b",
            ["a lone surrogate"] = "\ud800",
            ["a 1 KB id"] = new string('i', 1024),
            ["a 10 KB id"] = new string('i', 10 * 1024),
            ["dot-dot"] = "..",
            ["a plus and spaces"] = "a + b",
        };
        var routes = new (string Method, string Path, string? Body)[]
        {
            ("GET", "/api/partners/{id}", null),
            ("PATCH", "/api/partners/{id}", """{"region":"US"}"""),
            ("DELETE", "/api/partners/{id}", null),
            ("GET", "/api/exports/{id}", null),
            ("PATCH", "/api/exports/{id}", """{"recurring":{"everyHours":8,"startDate":"2999-01-01"}}"""),
            ("POST", "/api/exports/{id}/stop", null),
        };
        var cases = new Dictionary<string, ManagementCase>();
        foreach (var (idName, id) in ids)
        {
            var escaped = Uri.EscapeDataString(id.Replace("\ud800", "\ufffd", StringComparison.Ordinal));
            if (id == "\ud800")
                escaped = "%ED%A0%80"; // the surrogate's UTF-8 form, which is not valid UTF-8
            foreach (var (method, path, body) in routes)
                cases[$"{method} {path} with {idName}"] = new(method, path.Replace("{id}", escaped, StringComparison.Ordinal), StatusClass.ClientError, body is null ? null : Encoding.UTF8.GetBytes(body));
            cases[$"a partner created with {idName} as its nickname"] = new("POST", "/api/partners", StatusClass.ClientError,
                Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { nickname = id, writeKey = "k" })));
            cases[$"an export of a partner named {idName}"] = new("POST", "/api/exports", StatusClass.ClientError,
                WithRaw(RecurringExportBody, "partner", JsonSerializer.Serialize(id)));
        }
        foreach (var (name, query) in new Dictionary<string, string>
                 {
                     ["an unknown status"] = "status=DROP",
                     ["a quote in the status"] = "status=%27",
                     ["page size 0"] = "pageSize=0",
                     ["page size -1"] = "pageSize=-1",
                     ["page size of 30 digits"] = "pageSize=123456789012345678901234567890",
                     ["page size 1e309"] = "pageSize=1e309",
                     ["a forged continuation"] = "continuation=eyJwayI6IiciLCJyayI6IicifQ",
                     ["a continuation that is not base64"] = "continuation=%25%25%25",
                     ["a 4 KB continuation"] = "continuation=" + new string('A', 4096),
                     ["a from that is not a date"] = "exportedFrom=yesterday%27",
                     ["a from in year 0"] = "exportedFrom=0000-01-01",
                     ["a to before the from"] = "exportedFrom=2026-11-02&exportedTo=2026-11-01",
                     ["an instant with a huge offset"] = "exportedFrom=2026-11-01T00:00:00%2B99:00",
                     ["status given twice"] = "status=RUNNING&status=DONE",
                     ["page size given twice"] = "pageSize=10&pageSize=20",
                 })
        {
            // Each is either applied or refused with a 400 naming the parameter.
            cases[$"GET /api/exports with {name}"] = new("GET", "/api/exports?" + query, StatusClass.NotServerError);
        }
        foreach (var path in new[] { "/api/catalog/events?x=%27", "/api/ingest/stats?account=%27%20or%20%27", "/api/ingest/stats?account=../../x", "/api/partners?nickname=%27" })
            cases[$"GET {path}"] = new("GET", path, StatusClass.NotServerError);
        return cases;
    }
}
