using CleverTapSegment.Benchmarks;

// ./dev bench forwarding | export [options]: each suite prints its own figures.
var suite = args.Length > 0 ? args[0] : "";
var rest = args.Skip(1).ToArray();
return suite switch
{
    "forwarding" => await ForwardingBench.RunAsync(rest),
    "export" => await ExportBench.RunAsync(rest),
    "mapping" => await MappingBench.RunAsync(rest),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ./dev bench forwarding | export");
    return 2;
}
