using System.Text;
using System.Text.RegularExpressions;

namespace CleverTapSegment.Tests.Infra;

/// <summary>
/// Just enough of a Bicep reader for invariant tests, since no Bicep compiler is available to the build: strips
/// comments (string-aware, including <c>${…}</c> interpolations), splits top-level declarations with their
/// decorators, and reads the properties of object literals. Grammar: https://learn.microsoft.com/azure/azure-resource-manager/bicep/file
/// </summary>
internal sealed partial class BicepDocument
{
    private BicepDocument(string path, string code, IReadOnlyList<BicepDeclaration> declarations)
    {
        Path = path;
        Code = code;
        Declarations = declarations;
    }

    public string Path { get; }

    public string FileName => System.IO.Path.GetFileName(Path);

    /// <summary>The text with comments blanked out (line breaks kept).</summary>
    public string Code { get; }

    public IReadOnlyList<BicepDeclaration> Declarations { get; }

    public static BicepDocument Load(string path) => Parse(path, File.ReadAllText(path));

    public static BicepDocument Parse(string path, string text)
    {
        var code = BicepScanner.StripComments(text);
        return new BicepDocument(path, code, SplitDeclarations(code));
    }

    public IEnumerable<BicepDeclaration> OfKind(string kind) => Declarations.Where(d => d.Kind == kind);

    public BicepDeclaration Get(string kind, string name) =>
        Declarations.SingleOrDefault(d => d.Kind == kind && d.Name == name)
        ?? throw new InvalidOperationException($"{FileName} declares no {kind} named '{name}'.");

    public bool Declares(string kind, string name) => Declarations.Any(d => d.Kind == kind && d.Name == name);

    private static List<BicepDeclaration> SplitDeclarations(string code)
    {
        var declarations = new List<BicepDeclaration>();
        var decorators = new List<string>();
        foreach (var statement in BicepScanner.SplitAtTopLevelLineBreaks(code))
        {
            if (statement.StartsWith('@'))
            {
                decorators.Add(statement);
                continue;
            }
            declarations.Add(BicepDeclaration.FromStatement(statement, decorators));
            decorators = [];
        }
        if (decorators.Count > 0)
            throw new FormatException($"Decorators with nothing to decorate: {string.Join(" ", decorators)}");
        return declarations;
    }
}

/// <summary>One top-level declaration: <c>param</c>, <c>var</c>, <c>resource</c>, <c>module</c>, <c>output</c>, <c>type</c>, <c>func</c>, …</summary>
internal sealed partial record BicepDeclaration(string Kind, string Name, string Header, string Value, IReadOnlyList<string> Decorators)
{
    /// <summary>Resource or module: the quoted type (<c>Microsoft.Web/sites@2024-04-01</c>) or module path.</summary>
    public string? Target => QuotedString().Match(Header) is { Success: true } match ? match.Groups[1].Value : null;

    /// <summary>Resource type without the API version.</summary>
    public string? ResourceType => Target?.Split('@')[0];

    public string? ApiVersion => Target?.Contains('@', StringComparison.Ordinal) == true ? Target.Split('@')[1] : null;

    public bool IsExisting => ExistingKeyword().IsMatch(Header);

    public bool IsSecure => Decorators.Any(d => d.StartsWith("@secure(", StringComparison.Ordinal));

    /// <summary>The values of an <c>@allowed([…])</c> decorator, unquoted.</summary>
    public IReadOnlyList<string> AllowedValues =>
        Decorators.Where(d => d.StartsWith("@allowed(", StringComparison.Ordinal))
            .SelectMany(d => AllowedItem().Matches(d).Select(m => m.Groups["s"].Success ? m.Groups["s"].Value : m.Groups["n"].Value))
            .ToList();

    /// <summary>The object literal of a resource or module body (after <c>if (…)</c> or <c>[for …:</c>).</summary>
    public BicepObject Body => BicepObject.FirstIn(Value);

    public static BicepDeclaration FromStatement(string statement, IReadOnlyList<string> decorators)
    {
        var keyword = Keyword().Match(statement);
        if (!keyword.Success)
            throw new FormatException($"Not a declaration: {statement[..Math.Min(80, statement.Length)]}");
        var kind = keyword.Groups[1].Value;
        if (kind is "targetScope" or "using" or "import" or "extension")
            return new BicepDeclaration(kind, kind, statement, statement, decorators);

        var rest = statement[keyword.Length..];
        var name = Identifier().Match(rest);
        if (!name.Success)
            throw new FormatException($"{kind} without a name: {statement[..Math.Min(80, statement.Length)]}");
        var afterName = rest[name.Length..];
        var equals = BicepScanner.IndexOfTopLevel(afterName, '=');
        var header = equals < 0 ? afterName.Trim() : afterName[..equals].Trim();
        var value = equals < 0 ? "" : afterName[(equals + 1)..].Trim();
        if (kind == "func")
        {
            // func name(args) type => body
            var arrow = afterName.IndexOf("=>", StringComparison.Ordinal);
            header = arrow < 0 ? afterName.Trim() : afterName[..arrow].Trim();
            value = arrow < 0 ? "" : afterName[(arrow + 2)..].Trim();
        }
        return new BicepDeclaration(kind, name.Groups[1].Value, header, value, decorators);
    }

    [GeneratedRegex(@"^\s*(param|var|resource|module|output|type|func|targetScope|using|import|extension|metadata)\b")]
    private static partial Regex Keyword();

    [GeneratedRegex(@"^\s*([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"'(?<s>[^']*)'|(?<![A-Za-z_])(?<n>-?\d+)(?![A-Za-z_])")]
    private static partial Regex AllowedItem();

    [GeneratedRegex(@"\bexisting\b")]
    private static partial Regex ExistingKeyword();
}

/// <summary>An object literal <c>{ key: value … }</c>: its direct properties, in order.</summary>
internal sealed partial class BicepObject
{
    private BicepObject(string text, IReadOnlyList<KeyValuePair<string, string>> properties, IReadOnlyList<BicepDeclaration> childResources)
    {
        Text = text;
        Properties = properties;
        ChildResources = childResources;
    }

    public string Text { get; }

    /// <summary>Keys unquoted, with <c>${…}</c> interpolations written as <c>*</c>; values as source text.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Properties { get; }

    /// <summary>Resources declared inside a resource body (<c>resource queues 'queues' = …</c>).</summary>
    public IReadOnlyList<BicepDeclaration> ChildResources { get; }

    public string? this[string key] => Properties.FirstOrDefault(p => p.Key == key).Value;

    public BicepObject Object(string key) =>
        FirstIn(this[key] ?? throw new InvalidOperationException($"No property '{key}' in {Text[..Math.Min(120, Text.Length)]}"));

    /// <summary>The first object literal in <paramref name="text"/>.</summary>
    public static BicepObject FirstIn(string text)
    {
        var start = BicepScanner.IndexOfTopLevel(text, '{', anyDepth: true);
        if (start < 0)
            throw new FormatException($"No object literal in: {text[..Math.Min(120, text.Length)]}");
        var end = BicepScanner.MatchingClose(text, start);
        return Parse(text[start..(end + 1)]);
    }

    /// <summary>Every object literal in <paramref name="text"/>, outermost first, nested ones included.</summary>
    public static IEnumerable<BicepObject> AllIn(string text)
    {
        foreach (var start in BicepScanner.CodeIndexesOf(text, '{'))
            yield return Parse(text[start..(BicepScanner.MatchingClose(text, start) + 1)]);
    }

    private static BicepObject Parse(string objectText)
    {
        var inner = objectText[1..^1];
        var properties = new List<KeyValuePair<string, string>>();
        var childResources = new List<BicepDeclaration>();
        var decorators = new List<string>();
        foreach (var entry in BicepScanner.SplitAtTopLevelLineBreaks(inner))
        {
            if (entry.StartsWith('@'))
            {
                decorators.Add(entry);
                continue;
            }
            if (entry.StartsWith("resource ", StringComparison.Ordinal))
            {
                childResources.Add(BicepDeclaration.FromStatement(entry, decorators));
                decorators = [];
                continue;
            }
            decorators = [];
            var match = Property().Match(entry);
            if (!match.Success)
                throw new FormatException($"Not an object property: {entry}");
            var key = match.Groups["quoted"].Success ? Interpolation().Replace(match.Groups["quoted"].Value, "*") : match.Groups["bare"].Value;
            properties.Add(new(key, entry[match.Length..].Trim()));
        }
        return new BicepObject(objectText, properties, childResources);
    }

    [GeneratedRegex(@"^\s*(?:'(?<quoted>(?:[^'\\]|\\.|\$\{[^}]*\})*)'|(?<bare>[A-Za-z_][A-Za-z0-9_]*))\s*:")]
    private static partial Regex Property();

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex Interpolation();
}

/// <summary>Character-level scanning that knows strings (with escapes and interpolations) and comments.</summary>
internal static class BicepScanner
{
    public static string StripComments(string text)
    {
        var output = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (StartsWith(text, i, "//"))
            {
                while (i < text.Length && text[i] != '\n')
                {
                    output.Append(' ');
                    i++;
                }
            }
            else if (StartsWith(text, i, "/*"))
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0)
                    throw new FormatException("Unterminated /* comment.");
                for (; i < end + 2; i++)
                    output.Append(text[i] == '\n' ? '\n' : ' ');
            }
            else if (text[i] == '\'')
            {
                var end = SkipString(text, i);
                output.Append(text, i, end - i);
                i = end;
            }
            else
            {
                output.Append(text[i]);
                i++;
            }
        }
        return output.ToString();
    }

    /// <summary>
    /// The code with string literals blanked, except the expressions interpolated into them (<c>'${a}-x'</c> becomes
    /// <c>'  a    '</c>): what is left are the expressions, for symbol checks. Length and line breaks are kept.
    /// </summary>
    public static string BlankStringLiterals(string code)
    {
        var output = new StringBuilder(code);
        BlankStrings(code, 0, code.Length, output);
        return output.ToString();
    }

    private static void BlankStrings(string code, int from, int to, StringBuilder output)
    {
        var i = from;
        while (i < to)
        {
            if (code[i] != '\'')
            {
                i++;
                continue;
            }
            var end = SkipString(code, i);
            var j = i + 1;
            while (j < end - 1)
            {
                if (code[j] == '$' && j + 1 < end && code[j + 1] == '{')
                {
                    var close = MatchingClose(code, j + 1);
                    output[j] = ' ';
                    output[j + 1] = ' ';
                    output[close] = ' ';
                    BlankStrings(code, j + 2, close, output);
                    j = close + 1;
                    continue;
                }
                if (code[j] != '\n')
                    output[j] = ' ';
                j++;
            }
            i = end;
        }
    }

    /// <summary>Splits at line breaks outside brackets and strings; returns the non-empty trimmed pieces.</summary>
    public static IEnumerable<string> SplitAtTopLevelLineBreaks(string code)
    {
        var depth = 0;
        var start = 0;
        var i = 0;
        while (i < code.Length)
        {
            var c = code[i];
            if (c == '\'')
            {
                i = SkipString(code, i);
                continue;
            }
            if (c is '{' or '[' or '(')
                depth++;
            else if (c is '}' or ']' or ')')
                depth--;
            else if (c == '\n' && depth == 0)
            {
                var piece = code[start..i].Trim();
                if (piece.Length > 0)
                    yield return piece;
                start = i + 1;
            }
            if (depth < 0)
                throw new FormatException($"Unbalanced closing bracket near: {code[Math.Max(0, i - 60)..(i + 1)]}");
            i++;
        }
        if (depth != 0)
            throw new FormatException("Unbalanced brackets at the end of the text.");
        var last = code[start..].Trim();
        if (last.Length > 0)
            yield return last;
    }

    /// <summary>Index of <paramref name="target"/> outside strings (and, unless <paramref name="anyDepth"/>, outside brackets).</summary>
    public static int IndexOfTopLevel(string code, char target, bool anyDepth = false)
    {
        var depth = 0;
        var i = 0;
        while (i < code.Length)
        {
            var c = code[i];
            if (c == '\'')
            {
                i = SkipString(code, i);
                continue;
            }
            if (c == target && (anyDepth || depth == 0) && !(target == '=' && IsPartOfOperator(code, i)))
                return i;
            if (c is '{' or '[' or '(')
                depth++;
            else if (c is '}' or ']' or ')')
                depth--;
            i++;
        }
        return -1;
    }

    /// <summary>Indexes of <paramref name="target"/> in code (not inside strings).</summary>
    public static IEnumerable<int> CodeIndexesOf(string code, char target)
    {
        var i = 0;
        while (i < code.Length)
        {
            if (code[i] == '\'')
            {
                i = SkipString(code, i);
                continue;
            }
            if (code[i] == target)
                yield return i;
            i++;
        }
    }

    public static int MatchingClose(string code, int openIndex)
    {
        var depth = 0;
        var i = openIndex;
        while (i < code.Length)
        {
            var c = code[i];
            if (c == '\'')
            {
                i = SkipString(code, i);
                continue;
            }
            if (c is '{' or '[' or '(')
                depth++;
            else if (c is '}' or ']' or ')')
            {
                depth--;
                if (depth == 0)
                    return i;
            }
            i++;
        }
        throw new FormatException($"No closing bracket for the one at {openIndex}.");
    }

    /// <summary>Index just past the string starting at <paramref name="start"/> (a quote), interpolations included.</summary>
    public static int SkipString(string code, int start)
    {
        if (StartsWith(code, start, "'''"))
        {
            var end = code.IndexOf("'''", start + 3, StringComparison.Ordinal);
            if (end < 0)
                throw new FormatException("Unterminated ''' string.");
            return end + 3;
        }
        var i = start + 1;
        while (i < code.Length)
        {
            var c = code[i];
            if (c == '\\')
            {
                i += 2;
                continue;
            }
            if (c == '\'')
                return i + 1;
            if (c == '$' && i + 1 < code.Length && code[i + 1] == '{')
            {
                i = MatchingClose(code, i + 1) + 1;
                continue;
            }
            if (c == '\n')
                throw new FormatException($"Line break inside a string near: {code[start..i]}");
            i++;
        }
        throw new FormatException("Unterminated string.");
    }

    private static bool IsPartOfOperator(string code, int i) =>
        (i + 1 < code.Length && code[i + 1] is '=' or '>' or '~') || (i > 0 && code[i - 1] is '=' or '!' or '<' or '>');

    private static bool StartsWith(string text, int index, string value) =>
        string.CompareOrdinal(text, index, value, 0, value.Length) == 0;
}
