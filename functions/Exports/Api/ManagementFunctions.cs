using CleverTapSegment.CleverTap;
using CleverTapSegment.Exports.Runs;
using CleverTapSegment.Exports.Storage;
using CleverTapSegment.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace CleverTapSegment.Exports.Api;

/// <summary>
/// The management API: one HTTP function per route, each dispatching on the method to <see cref="PartnerEndpoints"/>,
/// <see cref="ExportEndpoints"/> and <see cref="CatalogEndpoints"/>. Anonymous to the Functions host, which would
/// refuse a signed-in user without a function key: <see cref="ManagementAccess"/> checks every call (the management
/// key, or a principal App Service Authentication signed in) before anything else. Documented in docs/exports-api.md.
/// </summary>
internal sealed class ManagementFunctions(
    ManagementAccess access,
    ExportStore store,
    RunStore runs,
    ExportRunStarter runStarter,
    CleverTapAccounts accounts,
    TimeProvider time,
    ILoggerFactory loggerFactory)
{
    public const string PartnersFunction = "Partners";
    public const string PartnerFunction = "PartnerByNickname";
    public const string ExportsFunction = "Exports";
    public const string ExportFunction = "ExportById";
    public const string StopExportFunction = "StopExport";
    public const string CatalogEventsFunction = "CatalogEvents";

    [Function(PartnersFunction)]
    public Task<IResult> PartnersAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "api/partners")] HttpRequest request,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async token => HttpMethods.IsPost(request.Method)
            ? await PartnerEndpoints.CreatePartner(request, store, time, token)
            : await PartnerEndpoints.ListPartners(store, token));

    [Function(PartnerFunction)]
    public Task<IResult> PartnerAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "patch", "delete", Route = "api/partners/{nickname}")] HttpRequest request,
        string nickname,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async token => request.Method switch
        {
            var method when HttpMethods.IsPatch(method) => await PartnerEndpoints.UpdatePartner(nickname, request, store, time, token),
            var method when HttpMethods.IsDelete(method) => await PartnerEndpoints.DeletePartner(nickname, store, token),
            _ => await PartnerEndpoints.GetPartner(nickname, store, token),
        });

    [Function(ExportsFunction)]
    public Task<IResult> ExportsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "api/exports")] HttpRequest request,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async token => HttpMethods.IsPost(request.Method)
            ? await ExportEndpoints.CreateExport(request, store, runStarter, accounts, time, loggerFactory, token)
            : await ExportEndpoints.ListExports(ExportListParameters.FromQuery(request.Query), store, accounts, token));

    [Function(ExportFunction)]
    public Task<IResult> ExportAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "patch", Route = "api/exports/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async token => HttpMethods.IsPatch(request.Method)
            ? await ExportEndpoints.UpdateExport(id, request, store, accounts, time, token)
            : await ExportEndpoints.GetExport(id, store, runs, token));

    [Function(StopExportFunction)]
    public Task<IResult> StopExportAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/exports/{id}/stop")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, async token => await ExportEndpoints.StopExport(id, store, time, token));

    [Function(CatalogEventsFunction)]
    public Task<IResult> CatalogEventsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/catalog/events")] HttpRequest request,
        CancellationToken cancellationToken) =>
        RunAsync(request, cancellationToken, _ => Task.FromResult<IResult>(CatalogEndpoints.GetEvents()));

    /// <summary>
    /// Checks who calls, then the cross-site rule, before anything else (the body is not even read without them).
    /// </summary>
    private async Task<IResult> RunAsync(HttpRequest request, CancellationToken cancellationToken, Func<CancellationToken, Task<IResult>> handle)
    {
        if (access.Refuse(request) is { } refused)
            return refused;
        using var invocation = InvocationCancellation.Link(request, cancellationToken);
        return await handle(invocation.Token);
    }
}
