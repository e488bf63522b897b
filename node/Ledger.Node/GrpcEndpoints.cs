using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Ledger.Node;

/// <summary>
/// The node's gRPC endpoint (docs/spec/grpc.md, docs/adr/0006-grpc-transport.md). Plaintext HTTP/2 cannot share a port
/// with HTTP/1.1 (without TLS there is no ALPN to choose), so <see cref="NodeOptions.GrpcUrls"/> are bound in code as
/// HTTP/2-only listeners. Kestrel then binds its configured endpoints beside them but no longer the URLs, so the
/// addresses of <see cref="NodeOptions.Urls"/> become configured endpoints (<see cref="UrlsAsEndpoints"/>), where https
/// takes its certificate from Kestrel's settings as it does from the URLs.
/// </summary>
internal static class GrpcEndpoints
{
    /// <summary>Registers the gRPC server with the node's problem mapping and body limit.</summary>
    public static void AddServices(IServiceCollection services, NodeOptions options) =>
        services.AddGrpc(o =>
        {
            o.Interceptors.Add<Api.GrpcProblemInterceptor>();
            o.MaxReceiveMessageSize = (int)Math.Min(int.MaxValue, options.MaxRequestBodyBytes);
            o.EnableDetailedErrors = false;
        });

    /// <summary>Maps the service (answered on the gRPC addresses; HTTP/1.1 clients cannot call it).</summary>
    public static void Map(WebApplication app) => app.MapGrpcService<Api.LedgerGrpcService>();

    /// <summary>
    /// The addresses of <see cref="NodeOptions.Urls"/> as Kestrel endpoints (<c>Kestrel:Endpoints:Urls{i}</c>; plain http
    /// as HTTP/1.1); none when the configuration has endpoints of its own, which Kestrel serves instead of the URLs.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string?>> UrlsAsEndpoints(NodeOptions options, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
            yield break;
        var urls = options.ListenUrls();
        for (var i = 0; i < urls.Count; i++)
        {
            var key = "Kestrel:Endpoints:Urls" + i.ToString(CultureInfo.InvariantCulture);
            yield return new(key + ":Url", urls[i]);
            if (urls[i].StartsWith("http://", StringComparison.OrdinalIgnoreCase))
                yield return new(key + ":Protocols", nameof(HttpProtocols.Http1));
        }
    }

    /// <summary>Binds the gRPC addresses as HTTP/2-only listeners, collected in <paramref name="grpc"/>.</summary>
    public static void Listen(KestrelServerOptions kestrel, NodeOptions options, List<ListenOptions> grpc)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var url in options.GrpcListenUrls())
            Bind(kestrel, url, HttpProtocols.Http2, grpc);
    }

    /// <summary>The display addresses of the bound gRPC listeners (the real port after binding port 0).</summary>
    public static IReadOnlyList<string> Addresses(IEnumerable<ListenOptions> grpc) =>
        [.. grpc.Select(o => o.IPEndPoint is { } ep
            ? "http://" + (ep.Address.Equals(IPAddress.IPv6Any) || ep.Address.Equals(IPAddress.Any) ? (ep.Address.Equals(IPAddress.Any) ? "0.0.0.0" : "[::]") : ep.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + ep.Address + "]" : ep.Address.ToString())
                + ":" + ep.Port.ToString(CultureInfo.InvariantCulture)
            : o.ToString() ?? "")];

    private static void Bind(KestrelServerOptions kestrel, string url, HttpProtocols protocols, List<ListenOptions>? collect)
    {
        var uri = new Uri(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal));
        void Configure(ListenOptions o)
        {
            o.Protocols = protocols;
            collect?.Add(o);
        }
        if (uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            kestrel.ListenLocalhost(uri.Port, Configure);
        else if (uri.Host is "0.0.0.0")
            kestrel.Listen(IPAddress.Any, uri.Port, Configure);
        else if (uri.Host is "[::]")
            kestrel.Listen(IPAddress.IPv6Any, uri.Port, Configure);
        else
            kestrel.Listen(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port, Configure);
    }
}
