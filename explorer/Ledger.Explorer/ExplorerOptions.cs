namespace Ledger.Explorer;

/// <summary>
/// The explorer's settings. Sources, later ones winning: a JSON file (<c>--config</c>), environment variables
/// <c>LEDGER_EXPLORER_&lt;Key&gt;</c>, then flags (<c>--nodes</c>, <c>--consortium</c>, <c>--urls</c>, <c>--token-file</c>,
/// <c>--key-file</c>, <c>--texts</c>). Every problem is named by its key and rule.
/// </summary>
public sealed class ExplorerOptions
{
    /// <summary>The flags and the keys they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> Flags = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--nodes"] = "Nodes",
        ["--consortium"] = "Consortium",
        ["--urls"] = "Urls",
        ["--token-file"] = "TokenFile",
        ["--key-file"] = "KeyFile",
        ["--texts"] = "Texts",
        ["--config"] = "Config",
    };

    /// <summary>The nodes' HTTP API base URLs, in the order they are asked.</summary>
    public required IReadOnlyList<Uri> Nodes { get; init; }

    /// <summary>The consortium file (<c>ledger-consortium/v1</c>): the trust root every answer is verified against.</summary>
    public required string ConsortiumPath { get; init; }

    /// <summary>Where the explorer listens.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";

    /// <summary>A file holding the API token of the party the explorer reads as (a regulator reads everything).</summary>
    public string? TokenFile { get; init; }

    /// <summary>A key file (<c>ledger keygen</c>) of the party the explorer reads as, signing every request instead of a token.</summary>
    public string? KeyFile { get; init; }

    /// <summary>A translation of the texts (same keys as the built-in <c>Texts/en.json</c>).</summary>
    public string? TextsPath { get; init; }

    /// <summary>Reads the options from a JSON file, the environment and the flags.</summary>
    /// <exception cref="ExplorerOptionsException">A setting is missing or malformed (named).</exception>
    public static ExplorerOptions Read(string[] args, IDictionary<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!Flags.ContainsKey(args[i]))
                throw new ExplorerOptionsException(args[i], "unknown-option", $"unknown option; the options are {string.Join(", ", Flags.Keys)}");
            if (i + 1 >= args.Length)
                throw new ExplorerOptionsException(args[i], "value", "needs a value");
        }
        var flags = new ConfigurationBuilder().AddCommandLine(args, Flags.ToDictionary()).Build();
        var builder = new ConfigurationBuilder();
        if (flags["Config"] is { Length: > 0 } configFile)
        {
            if (!File.Exists(configFile))
                throw new ExplorerOptionsException("--config", "exists", $"no such file: {configFile}");
            builder.AddJsonFile(Path.GetFullPath(configFile), optional: false);
        }
        if (environment is null)
            builder.AddEnvironmentVariables("LEDGER_EXPLORER_");
        else
            builder.AddInMemoryCollection(environment.Where(e => e.Key.StartsWith("LEDGER_EXPLORER_", StringComparison.Ordinal))
                .Select(e => new KeyValuePair<string, string?>(e.Key["LEDGER_EXPLORER_".Length..], e.Value)));
        builder.AddCommandLine(args, Flags.ToDictionary());
        var c = builder.Build();

        var nodesText = c["Nodes"];
        if (string.IsNullOrWhiteSpace(nodesText))
            throw new ExplorerOptionsException("Nodes", "required", "give the nodes' URLs (--nodes http://host:port[,…])");
        var nodes = new List<Uri>();
        foreach (var part in nodesText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                throw new ExplorerOptionsException("Nodes", "url", $"'{part}' is not an http(s) URL");
            nodes.Add(uri);
        }
        var consortium = c["Consortium"];
        if (string.IsNullOrWhiteSpace(consortium))
            throw new ExplorerOptionsException("Consortium", "required", "give the consortium file (--consortium consortium.json): every answer is verified against it");
        if (!File.Exists(consortium))
            throw new ExplorerOptionsException("Consortium", "exists", $"no such file: {consortium}");
        var tokenFile = c["TokenFile"];
        if (tokenFile is { Length: > 0 } && !File.Exists(tokenFile))
            throw new ExplorerOptionsException("TokenFile", "exists", $"no such file: {tokenFile}");
        var keyFile = c["KeyFile"];
        if (keyFile is { Length: > 0 } && !File.Exists(keyFile))
            throw new ExplorerOptionsException("KeyFile", "exists", $"no such file: {keyFile}");
        var texts = c["Texts"];
        if (texts is { Length: > 0 } && !File.Exists(texts))
            throw new ExplorerOptionsException("Texts", "exists", $"no such file: {texts}");
        return new ExplorerOptions
        {
            Nodes = nodes,
            ConsortiumPath = consortium,
            Urls = c["Urls"] is { Length: > 0 } urls ? urls : "http://127.0.0.1:5080",
            TokenFile = string.IsNullOrEmpty(tokenFile) ? null : tokenFile,
            KeyFile = string.IsNullOrEmpty(keyFile) ? null : keyFile,
            TextsPath = string.IsNullOrEmpty(texts) ? null : texts,
        };
    }
}

/// <summary>A setting of the explorer is missing or malformed.</summary>
public sealed class ExplorerOptionsException(string field, string rule, string detail) : Exception($"{field}: {detail} [{rule}]")
{
    /// <summary>The setting (flag or key).</summary>
    public string Field { get; } = field;

    /// <summary>The rule broken.</summary>
    public string Rule { get; } = rule;
}
