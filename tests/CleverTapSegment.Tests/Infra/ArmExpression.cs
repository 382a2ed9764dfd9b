using System.Globalization;
using System.Text;

namespace CleverTapSegment.Tests.Infra;

/// <summary>
/// An ARM template expression, as the Bicep compiler writes them into the compiled JSON (<c>"[union(…)]"</c>):
/// string and integer literals, function calls (<c>__bicep.keyVaultReference(…)</c> included), property and index
/// access. <see cref="ToString"/> renders the canonical text, which is what the tests compare.
/// Grammar: https://learn.microsoft.com/azure/azure-resource-manager/templates/template-expressions
/// </summary>
internal abstract record ArmExpression
{
    /// <summary>Whether a JSON string is an expression: <c>[…]</c>, but not the escaped literal <c>[[…</c>.</summary>
    public static bool IsExpression(string text) => text.Length >= 2 && text[0] == '[' && text[^1] == ']' && text[1] != '[';

    public static ArmExpression Parse(string text)
    {
        if (!IsExpression(text))
            throw new FormatException($"Not an ARM expression: {text}");
        var parser = new Parser(text[1..^1]);
        var expression = parser.ParseExpression();
        parser.ExpectEnd();
        return expression;
    }

    /// <summary>Every node of the tree, this one first.</summary>
    public IEnumerable<ArmExpression> Descendants()
    {
        yield return this;
        IReadOnlyList<ArmExpression> children = this switch
        {
            ArmCall call => call.Arguments,
            ArmPropertyAccess access => [access.Target],
            ArmIndexAccess index => [index.Target, index.Index],
            _ => [],
        };
        foreach (var child in children)
        {
            foreach (var node in child.Descendants())
                yield return node;
        }
    }

    /// <summary>The canonical text wrapped as a JSON string expression: <c>[…]</c>.</summary>
    public string ToJsonString() => $"[{this}]";

    private sealed class Parser(string text)
    {
        private int _position;

        public ArmExpression ParseExpression()
        {
            var expression = ParsePrimary();
            while (true)
            {
                SkipWhitespace();
                if (TryConsume('.'))
                    expression = new ArmPropertyAccess(expression, ReadIdentifier(allowDots: false));
                else if (TryConsume('['))
                {
                    var index = ParseExpression();
                    Expect(']');
                    expression = new ArmIndexAccess(expression, index);
                }
                else
                    return expression;
            }
        }

        public void ExpectEnd()
        {
            SkipWhitespace();
            if (_position != text.Length)
                throw Error("end of expression");
        }

        private ArmExpression ParsePrimary()
        {
            SkipWhitespace();
            if (_position >= text.Length)
                throw Error("an expression");
            var c = text[_position];
            if (c == '\'')
                return new ArmString(ReadString());
            if (char.IsAsciiDigit(c) || c == '-')
                return new ArmNumber(ReadNumber());
            var name = ReadIdentifier(allowDots: true);
            SkipWhitespace();
            Expect('(');
            var arguments = new List<ArmExpression>();
            SkipWhitespace();
            if (!TryConsume(')'))
            {
                do
                    arguments.Add(ParseExpression());
                while (TryConsume(','));
                Expect(')');
            }
            return new ArmCall(name, arguments);
        }

        private string ReadString()
        {
            var value = new StringBuilder();
            _position++; // opening quote
            while (true)
            {
                if (_position >= text.Length)
                    throw Error("a closing quote");
                var c = text[_position++];
                if (c != '\'')
                {
                    value.Append(c);
                    continue;
                }
                if (_position < text.Length && text[_position] == '\'')
                {
                    value.Append('\''); // '' is an escaped quote
                    _position++;
                    continue;
                }
                return value.ToString();
            }
        }

        private long ReadNumber()
        {
            var start = _position;
            if (text[_position] == '-')
                _position++;
            while (_position < text.Length && char.IsAsciiDigit(text[_position]))
                _position++;
            return long.Parse(text.AsSpan(start, _position - start), CultureInfo.InvariantCulture);
        }

        // A function name may be namespaced (__bicep.keyVaultReference): before its `(` a dot cannot be a property
        // access. Property names are plain identifiers.
        private string ReadIdentifier(bool allowDots)
        {
            SkipWhitespace();
            var start = _position;
            while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] is '_' or '$'
                || (allowDots && text[_position] == '.')))
                _position++;
            if (_position == start)
                throw Error("a name");
            return text[start.._position];
        }

        private void SkipWhitespace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
                _position++;
        }

        private bool TryConsume(char c)
        {
            SkipWhitespace();
            if (_position < text.Length && text[_position] == c)
            {
                _position++;
                return true;
            }
            return false;
        }

        private void Expect(char c)
        {
            if (!TryConsume(c))
                throw Error($"'{c}'");
        }

        private FormatException Error(string expected) =>
            new($"Expected {expected} at {_position} in ARM expression [{text}]");
    }
}

internal sealed record ArmString(string Value) : ArmExpression
{
    public override string ToString() => $"'{Value.Replace("'", "''", StringComparison.Ordinal)}'";
}

internal sealed record ArmNumber(long Value) : ArmExpression
{
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

internal sealed record ArmCall(string Name, IReadOnlyList<ArmExpression> Arguments) : ArmExpression
{
    public bool Is(string name) => string.Equals(Name, name, StringComparison.OrdinalIgnoreCase);

    /// <summary>For <c>parameters('x')</c>, <c>variables('x')</c>, <c>lambdaVariables('x')</c>: the name.</summary>
    public string? SymbolName(string function) =>
        Is(function) && Arguments is [ArmString name] ? name.Value : null;

    public override string ToString() => $"{Name}({string.Join(", ", Arguments)})";
}

internal sealed record ArmPropertyAccess(ArmExpression Target, string Property) : ArmExpression
{
    public override string ToString() => $"{Target}.{Property}";
}

internal sealed record ArmIndexAccess(ArmExpression Target, ArmExpression Index) : ArmExpression
{
    public override string ToString() => $"{Target}[{Index}]";
}
