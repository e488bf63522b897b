using System.Text.Json;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Sdk.Client;

namespace Ledger.Devnet;

/// <summary>A party of the devnet as its hosting node serves it: where to reach it and how to sign for it.</summary>
/// <param name="Party">The party as the consortium file defines it.</param>
/// <param name="NodeName">The name of the node that hosts it.</param>
/// <param name="NodeUrl">That node's HTTP API.</param>
/// <param name="TokenFile">Its API token on that node (<c>tokens/&lt;name&gt;.token</c>).</param>
/// <param name="KeyFile">Its key (<c>parties/&lt;name&gt;.key</c> in the same data folder).</param>
public sealed record DevnetParty(Party Party, string NodeName, Uri NodeUrl, string TokenFile, string KeyFile)
{
    /// <summary>The party's name.</summary>
    public string Name => Party.Name;

    /// <summary>A client for the party on its node: the token authenticates, the key signs batches.</summary>
    public LedgerClient Connect() => new(new LedgerClientOptions
    {
        Node = NodeUrl,
        ApiToken = File.ReadAllText(TokenFile).Trim(),
        PrivateKey = PartyKeyFile.Load(KeyFile),
    });
}

/// <summary>
/// A running devnet as <c>devnet/up</c> describes it: <c>devnet.json</c> (what <c>devnet/status --json</c> prints: the
/// consortium file and each node's name and URL) and, for each node, the data folder holding <c>tokens/</c> and
/// <c>parties/</c> — <c>nodes/&lt;name&gt;/</c> under the devnet folder, or the folder of the node's <c>tokenFile</c>.
/// Each party is reached through the node that hosts it, so the same code runs on one node and on several.
/// </summary>
public sealed class DevnetDirectory
{
    /// <summary>The name of the state file in the devnet folder.</summary>
    public const string StateFileName = "devnet.json";

    private DevnetDirectory(ConsortiumDefinition consortium, IReadOnlyList<DevnetParty> parties, string? explorer)
    {
        Consortium = consortium;
        Parties = parties;
        Explorer = explorer;
    }

    /// <summary>The explorer's URL, when the devnet runs one.</summary>
    public string? Explorer { get; }

    /// <summary>The consortium the nodes run.</summary>
    public ConsortiumDefinition Consortium { get; }

    /// <summary>Every party a node of the devnet hosts, in consortium order.</summary>
    public IReadOnlyList<DevnetParty> Parties { get; }

    /// <summary>The hosted party of that name.</summary>
    /// <exception cref="DevnetInputException">No node of the devnet hosts it (rule <c>unknown-party</c>).</exception>
    public DevnetParty Party(string name) =>
        Parties.FirstOrDefault(p => p.Name == name)
        ?? throw new DevnetInputException("party", $"\"{name}\" is hosted by no node of this devnet (hosted: {string.Join(", ", Parties.Select(p => p.Name))})", "unknown-party");

    /// <summary>Reads <c>devnet.json</c> in <paramref name="folder"/>, the consortium file it names and each node's tokens.</summary>
    /// <exception cref="DevnetInputException">A file is missing or malformed (field and rule named).</exception>
    public static DevnetDirectory Load(string folder)
    {
        var root = Path.GetFullPath(folder);
        var statePath = Path.Combine(root, StateFileName);
        if (!File.Exists(statePath))
            throw new DevnetInputException("--devnet", $"{statePath} does not exist: is the devnet running? (devnet/up starts it, devnet/status shows it)", "not-running");
        using var state = ParseJson(statePath);
        var consortiumPath = RequiredString(state.RootElement, "consortium", statePath);
        ConsortiumDefinition consortium;
        try
        {
            consortium = ConsortiumFile.Parse(File.ReadAllText(consortiumPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DevnetInputException($"{statePath}: consortium", $"{consortiumPath} cannot be read: {e.Message}", "io");
        }
        catch (ConsortiumFormatException e)
        {
            throw new DevnetInputException($"{consortiumPath}: {e.Field}", e.Message, e.Rule);
        }

        if (!state.RootElement.TryGetProperty("nodes", out var nodes) || nodes.ValueKind != JsonValueKind.Array)
            throw new DevnetInputException($"{statePath}: nodes", "missing or not an array", "required");
        var parties = new List<DevnetParty>();
        var i = 0;
        foreach (var node in nodes.EnumerateArray())
        {
            var where = $"{statePath}: nodes[{i++}]";
            var name = RequiredString(node, "name", where);
            var urlText = RequiredString(node, "url", where);
            if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                throw new DevnetInputException($"{where}.url", $"\"{urlText}\" is not an http(s) URL", "url");
            var dataFolder = DataFolder(root, name, node);
            var tokens = Path.Combine(dataFolder, "tokens");
            if (!Directory.Exists(tokens))
                continue;
            foreach (var tokenFile in Directory.GetFiles(tokens, "*.token").Order(StringComparer.Ordinal))
            {
                var partyName = Path.GetFileNameWithoutExtension(tokenFile);
                var party = consortium.Parties.FirstOrDefault(p => p.Name == partyName)
                    ?? throw new DevnetInputException(tokenFile, $"\"{partyName}\" is not a party of {consortiumPath}", "unknown-party");
                var keyFile = Path.Combine(dataFolder, "parties", partyName + ".key");
                if (!File.Exists(keyFile))
                    throw new DevnetInputException(keyFile, $"the key of \"{partyName}\" is missing next to its token", "required");
                parties.Add(new DevnetParty(party, name, url, tokenFile, keyFile));
            }
        }
        var ordered = consortium.Parties.Select(p => parties.FirstOrDefault(h => h.Name == p.Name)).OfType<DevnetParty>().ToList();
        var explorer = state.RootElement.TryGetProperty("explorer", out var x) && x.ValueKind == JsonValueKind.String ? x.GetString() : null;
        return new DevnetDirectory(consortium, ordered, explorer);
    }

    /// <summary>The node's data folder: the folder of its tokenFile when given, else <c>nodes/&lt;name&gt;</c> under the devnet.</summary>
    private static string DataFolder(string root, string name, JsonElement node)
    {
        if (node.TryGetProperty("tokenFile", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } tokenFile)
            return Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(tokenFile))!)!;
        return Path.Combine(root, "nodes", name);
    }

    private static string RequiredString(JsonElement e, string member, string where)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(member, out var v) || v.ValueKind != JsonValueKind.String || v.GetString() is not { Length: > 0 } s)
            throw new DevnetInputException($"{where}.{member}", "missing or not a non-empty string", "required");
        return s;
    }

    private static JsonDocument ParseJson(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new DevnetInputException(path, $"not JSON: {e.Message}", "syntax");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DevnetInputException(path, $"cannot be read: {e.Message}", "io");
        }
    }

    /// <summary>The party with this address, when hosted.</summary>
    public DevnetParty? Find(Address address) => Parties.FirstOrDefault(p => p.Party.Address == address);
}
