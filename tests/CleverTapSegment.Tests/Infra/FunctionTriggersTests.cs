namespace CleverTapSegment.Tests.Infra
{
    using CleverTapSegment.Tests.Infra.WorkerStyle;

    /// <summary>
    /// The trigger reader on functions declared the way the .NET isolated worker declares them (attribute types
    /// named as the worker's: FunctionAttribute, QueueTriggerAttribute, TimerTriggerAttribute, QueueOutputAttribute).
    /// </summary>
    public sealed class FunctionTriggersTests
    {
        [Fact]
        public void Worker_attributes_yield_queues_connections_and_setting_references()
        {
            var bindings = FunctionTriggers.FromAttributes([typeof(SampleFunctions)]).ToList();

            Assert.Contains(bindings, b => b is { Function: "SampleWorker", Type: "queueTrigger", QueueName: "sample-work", Connection: FunctionTriggers.DefaultConnection });
            Assert.Contains(bindings, b => b is { Function: "SampleWorker", Type: "queue", QueueName: "sample-out", Connection: "OtherStorage" });
            var timer = Assert.Single(bindings, b => b.Type == "timerTrigger");
            Assert.Equal("SampleScheduler", timer.Function);
            Assert.Null(timer.Connection);
            Assert.Equal(["Sample__Schedule"], timer.SettingReferences);
            Assert.DoesNotContain(bindings, b => b.Function == nameof(SampleFunctions.NotAFunction));
        }

        [Fact]
        public void Bindings_become_settings_the_app_reads()
        {
            var settings = AppSettingCatalog.FromBindings(FunctionTriggers.FromAttributes([typeof(SampleFunctions)])).ToList();

            Assert.Contains(settings, s => s is { Name: "Sample__Schedule", Kind: AppSettingKind.Single });
            Assert.Contains(settings, s => s is { Name: "AzureWebJobsStorage", Kind: AppSettingKind.Connection });
            Assert.Contains(settings, s => s is { Name: "OtherStorage", Kind: AppSettingKind.Connection });
        }
    }
}

namespace CleverTapSegment.Tests.Infra.WorkerStyle
{
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class FunctionAttribute(string name) : Attribute
    {
        public string Name { get; } = name;
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    internal sealed class QueueTriggerAttribute(string queueName) : Attribute
    {
        public string QueueName { get; } = queueName;

        public string? Connection { get; set; }
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    internal sealed class TimerTriggerAttribute(string schedule) : Attribute
    {
        public string Schedule { get; } = schedule;
    }

    [AttributeUsage(AttributeTargets.Method | AttributeTargets.ReturnValue)]
    internal sealed class QueueOutputAttribute(string queueName) : Attribute
    {
        public string QueueName { get; } = queueName;

        public string? Connection { get; set; }
    }

    internal sealed class SampleFunctions
    {
        [Function("SampleWorker")]
        [return: QueueOutput("sample-out", Connection = "OtherStorage")]
        public static string Work([QueueTrigger("sample-work")] string message) => message;

        [Function("SampleScheduler")]
        public static void Schedule([TimerTrigger("%Sample__Schedule%")] object timer) => GC.KeepAlive(timer);

        public static void NotAFunction([QueueTrigger("ignored")] string message) => GC.KeepAlive(message);
    }
}
