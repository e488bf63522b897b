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

    /// <summary>
    /// Listen addresses separated by <c>;</c>: <c>https://</c> with the certificate of <c>Kestrel:Certificates:Default</c>,
    /// or plain <c>http://</c> on a loopback address (elsewhere only with <see cref="AllowPlainHttp"/>). Port 0 picks a
    /// free port; the node prints the bound address.
    /// </summary>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary>
    /// Serve plain <c>http://</c> on a non-loopback address too (for a node behind a TLS-terminating proxy on a private
    /// network). Off: partners' systems reach the node across networks, so it serves them HTTPS.
    /// </summary>
    public bool AllowPlainHttp { get; set; }

    /// <summary>The rate limits (section <c>RateLimits</c>).</summary>
    public Security.RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>
    /// Listen addresses of the gRPC endpoint (docs/spec/grpc.md), separated by ';'; empty (the default): no gRPC endpoint.
    /// Plaintext HTTP/2 needs an endpoint that speaks only HTTP/2 (no protocol negotiation without TLS), so gRPC gets its
    /// own <c>http://</c> addresses, announced as <c>grpc listening on …</c>: on a loopback address, or elsewhere with
    /// <see cref="AllowPlainHttp"/> behind a TLS-terminating proxy. Port 0 picks a free port.
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

    /// <summary>EPCIS settings (section <c>Epcis</c>: capture-job retention).</summary>
    public EpcisOptions Epcis { get; set; } = new();

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
        options.ValidateKestrel(configuration);
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
            throw new NodeConfigurationException(nameof(Urls), "required", "must name at least one https:// or http:// address");
        var httpPorts = new HashSet<int>();
        foreach (var url in urls)
            httpPorts.Add(ValidateUrl(nameof(Urls), url).Port);
        foreach (var url in GrpcListenUrls())
        {
            // The same rules as Urls (plain HTTP on loopback, or AllowPlainHttp behind a TLS-terminating proxy); plaintext
            // HTTP/2 needs a port of its own, so only http:// (https for partners is the HTTP/JSON endpoint's, or the proxy's).
            var uri = ValidateUrl(nameof(GrpcUrls), url);
            if (uri.Scheme != Uri.UriSchemeHttp || uri.AbsolutePath != "/")
                throw new NodeConfigurationException(nameof(GrpcUrls), "url", $"'{url}' is not an http:// address with a host and port (e.g. http://127.0.0.1:8081)");
            if (uri.Port != 0 && httpPorts.Contains(uri.Port))
                throw new NodeConfigurationException(nameof(GrpcUrls), "port", $"'{url}': port {uri.Port} is already an address of Urls; gRPC needs a port of its own");
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
        if (Lane.MinFreeMb < 0)
            throw new NodeConfigurationException("Lane:MinFreeMb", "range", $"must be 0 or more (MiB), got {Lane.MinFreeMb}");
        if (Lane.WriteRetrySeconds is < 0 or > 3600)
            throw new NodeConfigurationException("Lane:WriteRetrySeconds", "range", $"must be 0 to 3,600, got {Lane.WriteRetrySeconds}");
        if (Lane.ScrubBytesPerSecond < 0)
            throw new NodeConfigurationException("Lane:ScrubBytesPerSecond", "range", $"must be 0 (off) or more, got {Lane.ScrubBytesPerSecond}");
        if (Lane.IndexCacheMb is < 1 or > 1_048_576)
            throw new NodeConfigurationException("Lane:IndexCacheMb", "range", $"must be 1 to 1,048,576 (MiB), got {Lane.IndexCacheMb}");
        if (LogFormat is not ("text" or "json"))
            throw new NodeConfigurationException(nameof(LogFormat), "value", $"must be text or json, got '{LogFormat}'");
        if (MaxConcurrentWrites < 1)
            throw new NodeConfigurationException(nameof(MaxConcurrentWrites), "range", $"must be positive, got {MaxConcurrentWrites}");
        if (ShutdownTimeout <= TimeSpan.Zero)
            throw new NodeConfigurationException(nameof(ShutdownTimeout), "range", $"must be positive, got {ShutdownTimeout}");
        RateLimits.Validate();
        Evm.Validate();
        Epcis.Validate();
        if (!string.IsNullOrWhiteSpace(Consortium))
            Anchoring.RegistryConsortium.ParseSource(Consortium);
    }

    /// <summary>
    /// Checks Kestrel's own settings that the node depends on: every <c>Kestrel:Endpoints:&lt;name&gt;:Url</c> follows the
    /// rules of <see cref="Urls"/>, an https address has a certificate (<c>Kestrel:Certificates:Default</c> or the
    /// endpoint's <c>Certificate</c>), and a certificate or key file named there exists.
    /// </summary>
    /// <exception cref="NodeConfigurationException">Names the setting and the rule.</exception>
    public void ValidateKestrel(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var kestrel = configuration.GetSection("Kestrel");
        var hasDefault = ValidateCertificate(kestrel.GetSection("Certificates:Default"), "Kestrel:Certificates:Default");
        var endpoints = kestrel.GetSection("Endpoints").GetChildren().ToList();
        foreach (var endpoint in endpoints)
        {
            var key = $"Kestrel:Endpoints:{endpoint.Key}";
            var url = endpoint["Url"];
            if (string.IsNullOrWhiteSpace(url))
                throw new NodeConfigurationException(key + ":Url", "required", "an endpoint needs a Url");
            var uri = ValidateUrl(key + ":Url", url);
            var hasOwn = ValidateCertificate(endpoint.GetSection("Certificate"), key + ":Certificate");
            if (uri.Scheme == Uri.UriSchemeHttps && !hasOwn && !hasDefault)
                throw new NodeConfigurationException(key + ":Certificate:Path", "required",
                    $"'{url}' serves https and needs a certificate: set {key}:Certificate:Path or Kestrel:Certificates:Default:Path (a PEM file with KeyPath, or a PFX file with Password)");
        }
        // Kestrel serves its Endpoints instead of Urls when it has any.
        if (endpoints.Count > 0)
            return;
        foreach (var url in ListenUrls())
        {
            if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && !hasDefault)
                throw new NodeConfigurationException("Kestrel:Certificates:Default:Path", "required",
                    $"'{url}' serves https and needs a certificate: set Kestrel:Certificates:Default:Path (a PEM file with KeyPath, or a PFX file with Password)");
        }
    }

    /// <summary>
    /// The certificate and key paths of Kestrel's settings made absolute against the current directory, like every
    /// other path of the node (Kestrel itself would resolve them against the program's directory).
    /// </summary>
    public static IEnumerable<KeyValuePair<string, string?>> AbsoluteCertificatePaths(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var kestrel = configuration.GetSection("Kestrel");
        var certificates = kestrel.GetSection("Certificates").GetChildren()
            .Concat(kestrel.GetSection("Endpoints").GetChildren().Select(e => e.GetSection("Certificate")));
        foreach (var certificate in certificates)
        {
            foreach (var name in new[] { "Path", "KeyPath" })
            {
                var section = certificate.GetSection(name);
                if (!string.IsNullOrWhiteSpace(section.Value))
                    yield return new(section.Path, Path.GetFullPath(section.Value));
            }
        }
    }

    private Uri ValidateUrl(string field, string url)
    {
        // Kestrel's wildcards "*" and "+" (every interface) are not URI hosts; check the rest of the URL.
        var checkable = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(checkable, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new NodeConfigurationException(field, "url", $"'{url}' is not an https:// or http:// address");
        if (uri.Port == 0 && uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            throw new NodeConfigurationException(field, "url", $"'{url}': port 0 needs an IP address (https://127.0.0.1:0 or http://[::1]:0), not localhost");
        if (uri.Scheme == Uri.UriSchemeHttp && !AllowPlainHttp && !IsLoopback(uri))
            throw new NodeConfigurationException(field, "plain-http",
                $"'{url}' serves plain HTTP beyond this machine: serve https:// with a certificate (Kestrel:Certificates:Default:Path), listen on 127.0.0.1, or set {nameof(AllowPlainHttp)}=true behind a TLS-terminating proxy");
        return uri;
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));

    private static bool ValidateCertificate(IConfigurationSection certificate, string key)
    {
        var path = certificate["Path"];
        if (!string.IsNullOrWhiteSpace(path))
        {
            if (!File.Exists(Path.GetFullPath(path)))
                throw new NodeConfigurationException(key + ":Path", "exists", $"certificate file {path} does not exist");
            var keyPath = certificate["KeyPath"];
            if (!string.IsNullOrWhiteSpace(keyPath) && !File.Exists(Path.GetFullPath(keyPath)))
                throw new NodeConfigurationException(key + ":KeyPath", "exists", $"key file {keyPath} does not exist");
            return true;
        }
        return !string.IsNullOrWhiteSpace(certificate["Subject"]);
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
