namespace CleverTapSegment.Hosting;

/// <summary>
/// Registers non-HTTP functions by name. The name is the folder of its <c>function.json</c> and the route the host
/// posts <c>{Data, Metadata}</c> to (<c>POST /{name}</c>).
/// </summary>
public static class FunctionRegistration
{
    public static IServiceCollection AddQueueTriggeredFunction<TFunction>(this IServiceCollection services, string functionName)
        where TFunction : class, IQueueTriggeredFunction
    {
        services.AddScoped<TFunction>();
        services.AddSingleton(new RegisteredFunction(functionName, typeof(TFunction), RegisteredFunctionKind.Queue));
        return services;
    }

    public static IServiceCollection AddTimerTriggeredFunction<TFunction>(this IServiceCollection services, string functionName)
        where TFunction : class, ITimerTriggeredFunction
    {
        services.AddScoped<TFunction>();
        services.AddSingleton(new RegisteredFunction(functionName, typeof(TFunction), RegisteredFunctionKind.Timer));
        return services;
    }
}

public enum RegisteredFunctionKind { Queue, Timer }

/// <summary>A function the handler serves at <c>POST /{Name}</c>.</summary>
public sealed record RegisteredFunction(string Name, Type ImplementationType, RegisteredFunctionKind Kind);
