using CleverTapSegment.Dashboard;
using CleverTapSegment.Exports;
using CleverTapSegment.Forwarding;
using CleverTapSegment.Hosting;
using CleverTapSegment.Storage;

var builder = WebApplication.CreateBuilder(args);
builder.AddFunctionsHosting();
builder.AddStorage();
builder.AddForwarding();
builder.AddExports();

var app = builder.Build();
app.MapFunctionsHost();
app.MapForwarding();
app.MapExports();
app.MapDashboard();
app.Run();

/// <summary>Entry point, visible to the tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;
