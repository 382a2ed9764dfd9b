using System.Text;
using CleverTapSegment.Exports.Api;
using Microsoft.AspNetCore.Http;

namespace CleverTapSegment.Tests.Exports.Api;

public sealed class JsonBodyTests
{
    [Fact]
    public async Task A_valid_body_is_read()
    {
        var (body, problem) = await ReadAsync("""{"partner":"prod","recurring":{"everyHours":6,"startDate":"2026-11-23"}}""");
        Assert.Null(problem);
        Assert.Equal("prod", body!.Partner);
        Assert.Equal(6, body.Recurring!.EveryHours);
    }

    [Theory]
    [InlineData("""{"partner":"prod","partnr":"x"}""", "partnr", "is not a field")]
    [InlineData("""{"recurring":{"everyHours":6,"every":2}}""", "recurring.every", "is not a field")]
    [InlineData("""{"recurring":{"everyHours":"six"}}""", "recurring.everyHours", "wrong JSON type: a whole number is expected")]
    [InlineData("""{"recurring":{"everyHours":"8"}}""", "recurring.everyHours", "wrong JSON type: a whole number is expected")]
    [InlineData("""{"recurring":{"everyHours":8.5}}""", "recurring.everyHours", "wrong JSON type: a whole number is expected")]
    [InlineData("""{"recurring":{"everyHours":true}}""", "recurring.everyHours", "wrong JSON type: a whole number is expected")]
    [InlineData("""{"partner":42}""", "partner", "wrong JSON type: a string is expected")]
    [InlineData("""{"partner":true}""", "partner", "wrong JSON type: a string is expected")]
    [InlineData("""{"events":{"names":"Charged"}}""", "events.names", "wrong JSON type: an array is expected")]
    [InlineData("""{"recurring":6}""", "recurring", "wrong JSON type: an object is expected")]
    [InlineData("""{"events":{"names":["ok",7]}}""", "events.names[1]", "wrong JSON type: a string is expected")]
    [InlineData("""{"partner":"a","partner":"b"}""", "partner", "is given more than once")]
    [InlineData("""{"recurring":{"everyHours":6,"everyHours":8}}""", "recurring.everyHours", "is given more than once")]
    [InlineData("""{"partner":"prod" """, "body", "not valid JSON")]
    [InlineData("""[1,2]""", "body", "JSON object")]
    [InlineData("""null""", "body", "JSON object")]
    public async Task A_bad_body_is_a_problem_naming_the_field_without_internal_type_names(string json, string field, string message)
    {
        var (body, problem) = await ReadAsync(json);
        Assert.Null(body);
        var errors = Assert.IsType<HttpValidationProblemDetails>(problem!.ProblemDetails).Errors;
        var text = Assert.Single(errors[field]);
        Assert.Contains(message, text, StringComparison.Ordinal);
        Assert.DoesNotContain("CleverTapSegment", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused()
    {
        var (_, problem) = await ReadAsync("nickname=prod", "application/x-www-form-urlencoded");
        Assert.Contains("body", problem!.ProblemDetails.Errors.Keys);
    }

    private static Task<(ExportRequest? Body, Microsoft.AspNetCore.Http.HttpResults.ValidationProblem? Problem)> ReadAsync(string text, string contentType = "application/json")
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(text));
        return JsonBody.ReadAsync<ExportRequest>(context.Request, CancellationToken.None);
    }
}
