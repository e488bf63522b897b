using System.Diagnostics;
using Ledger.Protocol.Crypto;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Ledger.Node;

/// <summary>
/// One node process: builds the ASP.NET Core application (Kestrel, logging, problem details, endpoints) from
/// <see cref="NodeOptions"/>, starts it, reports the bound addresses and runs until SIGTERM or Ctrl-C.
/// </summary>
public sealed partial class NodeHost : IAsyncDisposable
{
    /// <summary>The stdout line printed per bound address: <c>listening on http://127.0.0.1:NNNNN</c>.</summary>
    public const string ListeningPrefix = "listening on ";

    /// <summary>The stdout line printed per bound gRPC address: <c>grpc listening on http://127.0.0.1:NNNNN</c>.</summary>
    public const string GrpcListeningPrefix = "grpc listening on ";

    private readonly List<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions> _grpcListen = [];

    // Lowest layer: quiet framework logs by default; a config file or LEDGER_LOGGING__LOGLEVEL__… can change them.
    private static readonly Dictionary<string, string?> LoggingDefaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        // One line per refused credential would repeat what the request log already says (the 401).
        ["Logging:LogLevel:Ledger.Node.Security"] = "Warning",
    };

    private NodeHost(WebApplication application, NodeOptions options)
    {
        Application = application;
        Options = options;
    }

    /// <summary>The ASP.NET Core application.</summary>
    public WebApplication Application { get; }

    /// <summary>The bound settings.</summary>
    public NodeOptions Options { get; }

    /// <summary>What the node has loaded.</summary>
    public NodeState State => Application.Services.GetRequiredService<NodeState>();

    /// <summary>Builds the node from a configuration made by <see cref="NodeOptions.BuildConfiguration"/>; nothing is started or written yet.</summary>
    /// <exception cref="NodeConfigurationException">A setting is wrong.</exception>
    public static NodeHost Create(IConfiguration configuration)
    {
        var options = NodeOptions.Bind(configuration);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(NodeHost).Assembly.GetName().Name,
            // Not the current directory: the node reads no appsettings.json from wherever it is started.
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(LoggingDefaults);
        builder.Configuration.AddConfiguration(configuration);
        builder.Configuration.AddInMemoryCollection(NodeOptions.AbsoluteCertificatePaths(configuration));

        builder.Logging.ClearProviders();
        if (options.LogFormat == "json")
        {
            // One JSON object per line with the message template's named values (Address, Height, StatusCode, …) as
            // properties, for log shippers.
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            });
        }
        // stdout carries only the "listening on" lines; every log line goes to stderr.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        var grpcListen = new List<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions>();
        if (options.GrpcListenUrls().Count == 0)
            builder.WebHost.UseUrls([.. options.ListenUrls()]);
        else
        {
            // Urls as Kestrel endpoints beside the gRPC listeners; no server URLs (the node's own "Urls" key would be read as them).
            builder.Configuration.AddInMemoryCollection(GrpcEndpoints.UrlsAsEndpoints(options, configuration));
            builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "");
        }
        // HTTPS from Kestrel's standard settings (Kestrel:Certificates:Default, Kestrel:Endpoints), which the slim
        // builder leaves out unless asked.
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
            if (options.GrpcListenUrls().Count > 0)
                GrpcEndpoints.Listen(k, options, grpcListen);
        });
        GrpcEndpoints.AddServices(builder.Services, options);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<NodeState>();
        builder.Services.AddSingleton<Api.NodeMetrics>();
        builder.Services.AddSingleton<Anchoring.AnchoringStatus>();
        if (options.Evm.AnchoringEnabled)
            builder.Services.AddHostedService<Anchoring.AnchoringService>();
        builder.Services.AddSingleton<Api.CaptureJobPruner>();
        builder.Services.AddHostedService(s => s.GetRequiredService<Api.CaptureJobPruner>());
        if (NodeCluster.MayHavePeers(options))
            NodeCluster.Add(builder.Services);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemTypes.Customize);
        builder.Services.AddExceptionHandler<NodeExceptionHandler>();
        Security.LedgerAuthentication.AddLedgerAuthentication(builder.Services);
        Security.LedgerRateLimits.AddLedgerRateLimits(builder.Services, options);
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Ledger node";
            document.Info.Version = NodeEndpoints.Version;
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        // Outermost: the request counter sees the status the client received.
        Api.NodeMetrics.UseRequestMetrics(app);
        var requestLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ledger.Node.Requests");
        app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                LogRequest(requestLog, context.Request.Method, context.Request.Path, context.Response.StatusCode, elapsedMs);
            }
        });
        Api.EpcisHttp.UseEpcisHeaders(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(async (context, next) =>
        {
            // A declared length over the limit is refused before any endpoint runs; chunked bodies hit Kestrel's limit while read.
            if (context.Request.ContentLength > options.MaxRequestBodyBytes)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
                await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = NodeExceptionHandler.BodyTooLarge(context) });
                return;
            }
            await next(context);
        });
        app.UseRouting();
        Api.NodeMetrics.UseRouteCapture(app);
        app.UseAuthentication();
        // After authentication: limits count per party, and failed credentials per client address.
        app.UseRateLimiter();
        app.UseAuthorization();
        NodeEndpoints.Map(app);
        Api.LedgerEndpoints.Map(app);
        Api.EpcisEndpoints.Map(app);
        Api.ProductEndpoints.Map(app);
        Anchoring.AnchorEndpoints.Map(app);
        Api.NodeMetrics.Map(app);
        Api.FollowEndpoints.Map(app);
        Api.RecentEndpoints.Map(app);
        Api.LaneEndpoints.Map(app);
        GrpcEndpoints.Map(app);
        app.MapOpenApi().WithSummary("This API's OpenAPI document");
        var host = new NodeHost(app, options);
        host._grpcListen.AddRange(grpcListen);
        return host;
    }

    /// <summary>Loads the identity, starts listening and returns the bound addresses (with the real port when 0 was asked for).</summary>
    /// <exception cref="NodeConfigurationException">The data directory or key is unusable.</exception>
    /// <exception cref="IOException">An address cannot be bound (e.g. the port is in use).</exception>
    public async Task<IReadOnlyList<string>> StartAsync(CancellationToken cancellationToken = default)
    {
        // Before the server starts, so no request sees a node without its key (and a bad key is one clear error line,
        // not a host start-up failure with a stack trace).
        var state = State;
        if (state.Identity is null)
        {
            var identity = NodeIdentity.LoadOrCreate(Options.DataDirectory, Application.Services.GetRequiredService<TimeProvider>());
            var logger = Application.Services.GetRequiredService<ILogger<NodeHost>>();
            if (identity.IsNew)
                LogKeyCreated(logger, identity.DataDirectory, identity.Address);
            else
                LogKeyLoaded(logger, identity.DataDirectory, identity.Address);
            state.Identity = identity;
        }
        if (state.Ledger is null)
        {
            // The consortium from the Registry contract when asked (validated like a file), else consortium.json.
            Protocol.Consortium.ConsortiumDefinition? consortium = null;
            var source = LedgerService.ConsortiumFileName;
            if (!string.IsNullOrWhiteSpace(Options.Consortium))
            {
                consortium = await Anchoring.RegistryConsortium.LoadAsync(Options.Consortium, cancellationToken);
                source = Anchoring.RegistryConsortium.SourceLabel(Anchoring.RegistryConsortium.ParseSource(Options.Consortium).Registry);
            }
            state.Ledger = LedgerService.Open(state.Identity, Options.Lane, Application.Services.GetRequiredService<TimeProvider>(),
                Application.Services.GetRequiredService<ILoggerFactory>(), consortium, source);
            try
            {
                state.Peers = NodeCluster.Plan(state.Ledger, Application.Services.GetRequiredService<ILogger<NodeHost>>());
            }
            catch
            {
                await state.Ledger.DisposeAsync();
                state.Ledger = null;
                throw;
            }
        }
        await Application.StartAsync(cancellationToken);
        var server = Application.Services.GetRequiredService<IServer>();
        return [.. server.Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
    }

    /// <summary>The bound gRPC addresses (with the real port when 0 was asked for), once started.</summary>
    public IReadOnlyList<string> GrpcAddresses => GrpcEndpoints.Addresses(_grpcListen);

    /// <summary>
    /// Starts, writes one <c>listening on …</c> line per bound address to <paramref name="announce"/>, and returns when
    /// the node has shut down gracefully (SIGTERM, Ctrl-C, or <paramref name="cancellationToken"/>).
    /// </summary>
    public async Task RunAsync(TextWriter announce, CancellationToken cancellationToken = default)
    {
        var addresses = await StartAsync(cancellationToken);
        var grpc = GrpcAddresses;
        foreach (var address in addresses.Where(a => !grpc.Contains(a)))
            await announce.WriteLineAsync(ListeningPrefix + address);
        foreach (var address in grpc)
            await announce.WriteLineAsync(GrpcListeningPrefix + address);
        await announce.FlushAsync(cancellationToken);
        await Application.WaitForShutdownAsync(cancellationToken);
    }

    /// <summary>Stops the server (requests in flight finish), then the lane (the block in flight is finished and made durable).</summary>
    public async ValueTask DisposeAsync()
    {
        var ledger = State.Ledger;
        await Application.DisposeAsync();
        if (ledger is not null)
            await ledger.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "node key created in {DataDirectory}, address {Address}")]
    private static partial void LogKeyCreated(ILogger logger, string dataDirectory, Address address);

    [LoggerMessage(Level = LogLevel.Information, Message = "node key loaded from {DataDirectory}, address {Address}")]
    private static partial void LogKeyLoaded(ILogger logger, string dataDirectory, Address address);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} {StatusCode} {ElapsedMs:0.0}ms")]
    private static partial void LogRequest(ILogger logger, string method, PathString path, int statusCode, double elapsedMs);
}
