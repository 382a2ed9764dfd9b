using System.Runtime.InteropServices;
using System.Text.Json;

namespace CleverTapSegment.DevHost;

/// <summary>
/// <c>CleverTapSegment.DevHost --app &lt;worker build output&gt; [--settings local.settings.json] [--urls …] [--log-level …]</c>:
/// runs the worker like <c>func start</c> does, printing its logs, until Ctrl-C.
/// </summary>
internal static class Cli
{
    private const string Usage =
        "usage: CleverTapSegment.DevHost --app <worker build output dir> [--settings <local.settings.json>] " +
        "[--urls http://127.0.0.1:7071] [--log-level Information]";

    private static readonly object s_console = new();

    public static async Task<int> RunAsync(string[] args)
    {
        if (!TryParse(args, out var arguments, out var problem))
        {
            await Console.Error.WriteLineAsync(problem + Environment.NewLine + Usage);
            return 2;
        }
        var minimumLevel = arguments.LogLevel;
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(minimumLevel)
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss ";
            }));
        var options = new DevHostOptions
        {
            AppDirectory = Path.GetFullPath(arguments.App),
            Urls = arguments.Urls,
            LoggerFactory = loggerFactory,
            OnWorkerLog = entry => Print(entry, minimumLevel),
        };
        try
        {
            foreach (var (name, value) in ReadSettings(arguments.Settings))
            {
                options.Settings[name] = value;
            }
        }
        catch (Exception exception) when (exception is IOException or JsonException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"dev host: cannot read {arguments.Settings}: {exception.Message}");
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        DevHostServer server;
        try
        {
            server = await DevHostServer.StartAsync(options, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or DirectoryNotFoundException)
        {
            await Console.Error.WriteLineAsync("dev host: " + exception.Message);
            return 1;
        }

        await using (server)
        {
            Console.WriteLine($"dev host: {server.FunctionNames.Count} functions on {server.BaseAddress} (worker process {server.WorkerProcessId}); Ctrl-C stops.");
            var stopped = Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => 0, TaskScheduler.Default);
            var workerExited = server.WorkerCrashed.ContinueWith(exited => exited.Result == 0 ? 0 : 1, TaskScheduler.Default);
            var exitCode = await await Task.WhenAny(stopped, workerExited);
            Console.WriteLine(workerExited.IsCompleted ? "dev host: the worker exited; stopping" : "dev host: stopping");
            return exitCode;
        }
    }

    /// <summary>
    /// Worker logs the way <c>func start</c> shows them: timestamp and message; framework categories
    /// (<c>Microsoft.*</c>, <c>System.*</c>) only from Warning unless a Debug or Trace level was asked for.
    /// </summary>
    private static void Print(WorkerLogEntry entry, LogLevel minimumLevel)
    {
        if (entry.Level < minimumLevel || entry.Level == LogLevel.None)
        {
            return;
        }
        var framework = entry.Category.StartsWith("Microsoft.", StringComparison.Ordinal) || entry.Category.StartsWith("System.", StringComparison.Ordinal);
        if (framework && entry.Level < LogLevel.Warning && minimumLevel > LogLevel.Debug)
        {
            return;
        }
        lock (s_console)
        {
            var color = Console.ForegroundColor;
            Console.ForegroundColor = entry.Level switch
            {
                >= LogLevel.Error => ConsoleColor.Red,
                LogLevel.Warning => ConsoleColor.Yellow,
                _ => color,
            };
            Console.WriteLine($"[{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ}] {entry.Message}");
            if (entry.Exception is { } exception)
            {
                Console.WriteLine(exception);
            }
            Console.ForegroundColor = color;
        }
    }

    /// <summary><c>Values</c> of local.settings.json, each overridden by an environment variable of the same name.</summary>
    private static Dictionary<string, string?> ReadSettings(string? path)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (path is null)
        {
            return settings;
        }
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        if (document.RootElement.TryGetProperty("Values", out var values) && values.ValueKind == JsonValueKind.Object)
        {
            foreach (var setting in values.EnumerateObject())
            {
                settings[setting.Name] = Environment.GetEnvironmentVariable(setting.Name)
                    ?? (setting.Value.ValueKind == JsonValueKind.String ? setting.Value.GetString() : setting.Value.GetRawText());
            }
        }
        return settings;
    }

    private sealed record Arguments(string App, string? Settings, string Urls, LogLevel LogLevel);

    private static bool TryParse(string[] args, out Arguments arguments, out string problem)
    {
        string? app = null, settings = null, urls = null, level = null;
        arguments = null!;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--app": app = value; i++; break;
                case "--settings": settings = value; i++; break;
                case "--urls": urls = value; i++; break;
                case "--log-level": level = value; i++; break;
                case "-h" or "--help":
                    problem = "";
                    return false;
                default:
                    problem = $"unknown argument '{args[i]}'";
                    return false;
            }
        }
        if (string.IsNullOrEmpty(app))
        {
            problem = "--app is required";
            return false;
        }
        var logLevel = LogLevel.Information;
        if (level is not null && !Enum.TryParse(level, ignoreCase: true, out logLevel))
        {
            problem = $"--log-level '{level}' is not one of {string.Join(", ", Enum.GetNames<LogLevel>())}";
            return false;
        }
        urls ??= Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is { Length: > 0 } fromEnvironment ? fromEnvironment : DevHostOptions.DefaultUrls;
        arguments = new Arguments(app, settings, urls, logLevel);
        problem = "";
        return true;
    }
}
