using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DevHost.SampleWorker;

/// <summary>
/// Queue and timer functions. Each logs one line with what it received (the dev host captures worker logs), so
/// tests can read the payload and trigger metadata the host sent.
/// </summary>
public sealed class TriggeredFunctions(ILogger<TriggeredFunctions> logger)
{
    /// <summary>Fails for the message text "fail"; runs N milliseconds for "sleep:N" (lease renewal, crashes).</summary>
    [Function("Work")]
    public async Task Work([QueueTrigger("%SampleQueue%")] string message, FunctionContext context)
    {
        var metadata = context.BindingContext.BindingData;
        logger.LogInformation("Work received '{Message}' id={Id} dequeueCount={DequeueCount} popReceipt={PopReceipt}",
            message, metadata.GetValueOrDefault("Id"), metadata.GetValueOrDefault("DequeueCount"), metadata.GetValueOrDefault("PopReceipt"));
        if (message == "fail")
        {
            throw new InvalidOperationException("Failing on purpose.");
        }
        if (message.StartsWith("sleep:", StringComparison.Ordinal))
        {
            await Task.Delay(int.Parse(message["sleep:".Length..], System.Globalization.CultureInfo.InvariantCulture), context.CancellationToken);
            logger.LogInformation("Work finished '{Message}'", message);
        }
    }

    [Function("Tick")]
    public void Tick([TimerTrigger("%TickSchedule%")] TimerInfo timer) => LogTimer("Tick", timer);

    [Function("StartupTick")]
    public void StartupTick([TimerTrigger("0 0 0 1 1 *", RunOnStartup = true)] TimerInfo timer) => LogTimer("StartupTick", timer);

    private void LogTimer(string name, TimerInfo timer) =>
        logger.LogInformation("{Timer} fired isPastDue={IsPastDue} last={Last:O} next={Next:O}",
            name, timer.IsPastDue, timer.ScheduleStatus?.Last, timer.ScheduleStatus?.Next);
}
