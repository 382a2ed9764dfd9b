using System.Text.Json;
using CleverTapSegment.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CleverTapSegment.Tests.Hosting;

/// <summary>
/// The host → handler contract pinned by golden files (Envelopes/*.json) built from the payload shapes in
/// azure-platform.md §1.4: each request goes through the dispatcher to a recording function.
/// </summary>
public sealed class EnvelopeGoldenTests
{
    private static readonly string s_folder = Path.Combine(RepositoryPaths.Root, "tests", "CleverTapSegment.Tests", "Hosting", "Envelopes");

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(s_folder, "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Host_envelope_reaches_the_function_as_documented(string caseFile)
    {
        using var golden = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(s_folder, caseFile)));
        var root = golden.RootElement;
        var kind = root.GetProperty("kind").GetString();
        var bindingName = root.GetProperty("bindingName").GetString()!;
        using var appRoot = new TemporaryFunctionAppRoot();
        if (kind == "queue")
        {
            appRoot.AddQueue("GoldenFunction", bindingName, "golden");
        }
        else
        {
            appRoot.AddTimer("GoldenFunction", "0 0 0 1 1 *");
        }
        var recorder = new InvocationRecorder();
        await using var services = BuildDispatcherServices(appRoot.Path, recorder, kind!);
        var dispatcher = services.GetRequiredService<FunctionDispatcher>();

        var result = await dispatcher.InvokeAsync("GoldenFunction", root.GetProperty("request"), "golden-invocation", CancellationToken.None);

        Assert.Equal(root.GetProperty("expectedStatus").GetInt32(), result.StatusCode);
        Assert.NotEmpty(result.Response.Logs);
        var expected = root.GetProperty("expected");
        if (expected.ValueKind == JsonValueKind.Null)
        {
            Assert.Empty(recorder.Triggers);
            return;
        }
        var received = Assert.Single(recorder.Triggers);
        if (kind == "queue")
        {
            var message = Assert.IsType<QueueTrigger>(received);
            Assert.Equal(expected.GetProperty("messageText").GetString(), message.MessageText);
            Assert.Equal(expected.GetProperty("messageId").GetString(), message.MessageId);
            Assert.Equal(expected.GetProperty("dequeueCount").GetInt64(), message.DequeueCount);
            Assert.Equal(ReadDate(expected.GetProperty("insertionTime")), message.InsertionTime);
        }
        else
        {
            var timer = Assert.IsType<TimerTrigger>(received);
            Assert.Equal(expected.GetProperty("isPastDue").GetBoolean(), timer.IsPastDue);
            Assert.Equal(ReadDate(expected.GetProperty("lastRun")), timer.LastRun);
            Assert.Equal(ReadDate(expected.GetProperty("nextRun")), timer.NextRun);
        }
    }

    private static DateTimeOffset? ReadDate(JsonElement value) =>
        value.ValueKind == JsonValueKind.Null ? null : value.GetDateTimeOffset();

    internal static ServiceProvider BuildDispatcherServices(string appRoot, InvocationRecorder recorder, string kind)
    {
        var services = new ServiceCollection();
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        services.AddSingleton(recorder);
        services.AddSingleton(new FunctionAppRoot(appRoot));
        services.AddSingleton<FunctionCatalog>();
        services.AddSingleton<FunctionDispatcher>();
        if (kind == "queue")
        {
            services.AddQueueTriggeredFunction<RecordingQueueFunction>("GoldenFunction");
        }
        else
        {
            services.AddTimerTriggeredFunction<RecordingTimerFunction>("GoldenFunction");
        }
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }
}
