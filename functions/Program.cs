using CleverTapSegment.Dashboard;
using CleverTapSegment.Exports;
using CleverTapSegment.Forwarding;
using CleverTapSegment.Hosting;
using CleverTapSegment.Storage;
using CleverTapSegment.Telemetry;
using Microsoft.Azure.Functions.Worker.Builder;

// The isolated worker: the Functions host (or tools/DevHost locally) owns triggers and routing and invokes the
// [Function] methods of the feature folders. Every feature validates its options when the host starts.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication(); // HTTP triggers get ASP.NET Core's HttpRequest and answer with IResult
builder.AddFunctionsHosting();
builder.AddClock();
builder.AddTelemetry();
builder.AddStorage();
builder.AddForwarding();
builder.AddExports();
builder.AddDashboard();
builder.Services.AddHealthChecks().AddStorageCheck();

builder.Build().Run();
