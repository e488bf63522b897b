using Microsoft.Extensions.Configuration;

namespace Ledger.Node;

/// <summary>
/// The node's settings. Bound with the usual Microsoft.Extensions.Configuration layering, lowest first:
/// embedded defaults, a JSON file (<c>--config</c>), environment variables prefixed <c>LEDGER_</c>
/// (e.g. <c>LEDGER_DATADIRECTORY</c>, <c>LEDGER_URLS</c>), command-line flags. The same configuration also
/// carries the host's own sections, e.g. <c>Logging:LogLevel</c>.
/// </summary>
public sealed class NodeOptions
{
    /// <summary>The prefix of the environment variables the node reads (removed before binding).</summary>
    public const string EnvironmentPrefix = "LEDGER_";

    /// <summary>The embedded data directory, relative to the current directory.</summary>
    public const string DefaultDataDirectory = ".data/node";

    /// <summary>The embedded listen address: loopback only.</summary>
    public const string DefaultUrls = "http://127.0.0.1:8080";

    /// <summary>The embedded request body limit: 16 MiB.</summary>
    public const long DefaultMaxRequestBodyBytes = 16 * 1024 * 1024;

    /// <summary>Where the node keeps its key (<c>node.key</c>), its metadata (<c>node.json</c>) and, later, its ledger. Relative paths are resolved against the current directory.</summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory;

    /// <summary>Listen addresses separated by <c>;</c> (http only today). Port 0 picks a free port; the node prints the bound address.</summary>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary>
    /// Listen addresses of the gRPC endpoint (docs/spec/grpc.md), separated by ';'; empty (the default): no gRPC endpoint.
    /// Plaintext HTTP/2 needs an endpoint that speaks only HTTP/2 (no protocol negotiation without TLS), so gRPC gets its
    /// own addresses, announced as <c>grpc listening on …</c>. Port 0 picks a free port.
    /// </summary>
    public string GrpcUrls { get; set; } = "";

    /// <summary>Largest accepted request body; larger bodies get 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    /// <summary>How long a graceful shutdown (SIGTERM, Ctrl-C) may take before the host gives up waiting.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Group commit and detection settings (section <c>Lane</c>: MaxBlockRecords, MaxBlockDelay, MaxQueuedSubmissions, ScanWindow, the cache sizes, LowPriorityBackground).</summary>
    public Ledger.Engine.Lane.LaneOptions Lane { get; set; } = new();

    /// <summary>Log lines on stderr: <c>text</c> (one readable line per event) or <c>json</c> (one JSON object per event, with named values).</summary>
    public string LogFormat { get; set; } = "text";

    /// <summary>Write requests (capture, batch submission) served at once; more get 429 with Retry-After.</summary>
    public int MaxConcurrentWrites { get; set; } = 256;

    /// <summary>The EVM side: anchoring (section <c>Evm</c>: Rpc, Anchor, AnchorEverySeconds, AnchorEveryBlocks, Confirmations).</summary>
    public Anchoring.EvmOptions Evm { get; set; } = new();

    /// <summary>
    /// Where the consortium comes from: empty for <c>consortium.json</c> in the data directory, or
    /// <c>evm:&lt;rpc-url&gt;@&lt;registry-address&gt;</c> to read it from the Registry contract.
    /// </summary>
    public string? Consortium { get; set; }

    /// <summary>
    /// Builds the layered configuration: <paramref name="configFile"/> (JSON, optional), then environment variables
    /// prefixed <see cref="EnvironmentPrefix"/>, then <paramref name="overrides"/> (the command-line flags) on top.
    /// </summary>
    /// <exception cref="NodeConfigurationException">The config file is missing or not valid JSON.</exception>
    public static IConfigurationRoot BuildConfiguration(string? configFile, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            var path = Path.GetFullPath(configFile);
            if (!File.Exists(path))
                throw new NodeConfigurationException("--config", "exists", $"file {configFile} does not exist");
            builder.AddJsonFile(path, optional: false, reloadOnChange: false);
        }
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddInMemoryCollection(overrides ?? []);
        try
        {
            return builder.Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or IOException)
        {
            throw new NodeConfigurationException("--config", "json", $"{configFile} is not a valid JSON configuration file: {ex.Message}", ex);
        }
    }

    /// <summary>Binds and validates the options from <paramref name="configuration"/>.</summary>
    /// <exception cref="NodeConfigurationException">A value cannot be converted or breaks a rule.</exception>
    public static NodeOptions Bind(IConfiguration configuration)
    {
        var options = new NodeOptions();
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new NodeConfigurationException("configuration", "type", ex.Message, ex);
        }
        options.Validate();
        return options;
    }

    /// <summary>Checks every setting; throws on the first that is wrong.</summary>
    /// <exception cref="NodeConfigurationException">Names the setting and the rule.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory))
            throw new NodeConfigurationException(nameof(DataDirectory), "required", "must name a directory");
        var urls = ListenUrls();
        if (urls.Count == 0)
            throw new NodeConfigurationException(nameof(Urls), "required", "must name at least one http:// address");
        foreach (var url in urls)
        {
            // Kestrel's wildcards "*" and "+" (every interface) are not URI hosts; check the rest of the URL.
            var checkable = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(checkable, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
                throw new NodeConfigurationException(nameof(Urls), "url", $"'{url}' is not an http:// address (https is not served yet)");
            if (uri.Port == 0 && uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
                throw new NodeConfigurationException(nameof(Urls), "url", $"'{url}': port 0 needs an IP address (http://127.0.0.1:0 or http://[::1]:0), not localhost");
        }
        var httpPorts = urls.Select(u => Uri.TryCreate(u.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var x) ? x.Port : -1).ToHashSet();
        foreach (var url in GrpcListenUrls())
        {
            var checkable = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(checkable, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/")
                throw new NodeConfigurationException(nameof(GrpcUrls), "url", $"'{url}' is not an http:// address with a host and port (e.g. http://127.0.0.1:8081)");
            if (uri.Port == 0 && uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
                throw new NodeConfigurationException(nameof(GrpcUrls), "url", $"'{url}': port 0 needs an IP address (http://127.0.0.1:0), not localhost");
            if (uri.Port != 0 && httpPorts.Contains(uri.Port))
                throw new NodeConfigurationException(nameof(GrpcUrls), "port", $"'{url}': port {uri.Port} is already an HTTP/1.1 address of Urls; gRPC needs a port of its own");
        }
        if (MaxRequestBodyBytes <= 0)
            throw new NodeConfigurationException(nameof(MaxRequestBodyBytes), "range", $"must be positive, got {MaxRequestBodyBytes}");
        if (Lane.MaxBlockRecords < 1 || Lane.MaxBlockRecords > 1_000_000)
            throw new NodeConfigurationException("Lane:MaxBlockRecords", "range", $"must be 1 to 1,000,000, got {Lane.MaxBlockRecords}");
        if (Lane.MaxBlockDelay < TimeSpan.Zero || Lane.MaxBlockDelay > TimeSpan.FromSeconds(10))
            throw new NodeConfigurationException("Lane:MaxBlockDelay", "range", $"must be 0 to 10 seconds, got {Lane.MaxBlockDelay}");
        if (Lane.MaxQueuedSubmissions < 1)
            throw new NodeConfigurationException("Lane:MaxQueuedSubmissions", "range", $"must be positive, got {Lane.MaxQueuedSubmissions}");
        if (Lane.StateCacheNodes < 0)
            throw new NodeConfigurationException("Lane:StateCacheNodes", "range", $"must be 0 or more, got {Lane.StateCacheNodes}");
        if (Lane.StateCheckpointNodes < 1)
            throw new NodeConfigurationException("Lane:StateCheckpointNodes", "range", $"must be positive, got {Lane.StateCheckpointNodes}");
        if (Lane.BlockCacheSize < 0 || Lane.BlockCacheRecords < 0)
            throw new NodeConfigurationException(Lane.BlockCacheSize < 0 ? "Lane:BlockCacheSize" : "Lane:BlockCacheRecords", "range", "must be 0 or more");
        if (Lane.IndexCacheMb is < 1 or > 1_048_576)
            throw new NodeConfigurationException("Lane:IndexCacheMb", "range", $"must be 1 to 1,048,576 (MiB), got {Lane.IndexCacheMb}");
        if (LogFormat is not ("text" or "json"))
            throw new NodeConfigurationException(nameof(LogFormat), "value", $"must be text or json, got '{LogFormat}'");
        if (MaxConcurrentWrites < 1)
            throw new NodeConfigurationException(nameof(MaxConcurrentWrites), "range", $"must be positive, got {MaxConcurrentWrites}");
        if (ShutdownTimeout <= TimeSpan.Zero)
            throw new NodeConfigurationException(nameof(ShutdownTimeout), "range", $"must be positive, got {ShutdownTimeout}");
        Evm.Validate();
        if (!string.IsNullOrWhiteSpace(Consortium))
            Anchoring.RegistryConsortium.ParseSource(Consortium);
    }

    /// <summary>The entries of <see cref="GrpcUrls"/>.</summary>
    public IReadOnlyList<string> GrpcListenUrls() =>
        GrpcUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The entries of <see cref="Urls"/>.</summary>
    public IReadOnlyList<string> ListenUrls() =>
        Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The absolute data directory.</summary>
    public string FullDataDirectory() => Path.GetFullPath(DataDirectory);
}
