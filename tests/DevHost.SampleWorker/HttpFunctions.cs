using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace DevHost.SampleWorker;

/// <summary>HTTP functions that echo what reached them, so tests can check what the dev host forwarded.</summary>
public sealed class HttpFunctions
{
    /// <summary>Optional route part, bound from the trigger metadata the host sends (route values).</summary>
    [Function("Greet")]
    public static async Task<IActionResult> Greet(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "greet/{name?}")] HttpRequest request,
        string? name)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
        return new JsonResult(new
        {
            method = request.Method,
            name,
            path = request.Path.Value,
            query = request.Query["q"].ToString(),
            header = request.Headers["x-sample"].ToString(),
            body,
        });
    }

    [Function("Files")]
    public static IActionResult Files(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "files/{*path}")] HttpRequest request,
        string? path) => new ContentResult { Content = path ?? string.Empty, ContentType = "text/plain", StatusCode = 200 };

    /// <summary>
    /// A site at the root: with host.json's routePrefix empty it answers every GET no other function's route matches
    /// (the tests that want it set the prefix to "" and enable it; elsewhere it is disabled).
    /// </summary>
    [Function("Site")]
    public static IActionResult Site(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "{*path}")] HttpRequest request,
        string? path) => new ContentResult { Content = "site:" + path, ContentType = "text/plain", StatusCode = 200 };

    /// <summary>Answers with the status and header the caller asks for, to check the response is forwarded whole.</summary>
    [Function("Created")]
    public static async Task Created(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "items/{id}")] HttpRequest request, string id)
    {
        var response = request.HttpContext.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = $"/api/items/{id}";
        response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(response.Body, new { id }, cancellationToken: request.HttpContext.RequestAborted);
    }

    [Function("Boom")]
    public static IActionResult Boom(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "boom")] HttpRequest request) =>
        throw new InvalidOperationException("Boom on purpose.");
}
