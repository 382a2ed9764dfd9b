namespace CleverTapSegment.Benchmarks;

internal static class ExportBench
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine("bench: the Export suite is not built yet.");
        return Task.FromResult(1);
    }
}
