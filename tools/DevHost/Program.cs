return await CleverTapSegment.DevHost.Cli.RunAsync(args);
