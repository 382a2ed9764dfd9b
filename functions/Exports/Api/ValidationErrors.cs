using Microsoft.AspNetCore.Http.HttpResults;

namespace CleverTapSegment.Exports.Api;

/// <summary>Field → messages, collected while validating a request and answered as a 400 problem.</summary>
internal sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
            _errors[field] = messages = [];
        messages.Add(message);
    }

    public bool Has(string field) => _errors.ContainsKey(field);

    public ValidationProblem ToProblem() => TypedResults.ValidationProblem(
        _errors.ToDictionary(pair => pair.Key, pair => pair.Value.ToArray()),
        title: "The request is not valid.",
        detail: string.Join(" ", _errors.Select(pair => $"{pair.Key}: {string.Join("; ", pair.Value)}.")));

    public static ValidationProblem Single(string field, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(field, message);
        return errors.ToProblem();
    }
}
