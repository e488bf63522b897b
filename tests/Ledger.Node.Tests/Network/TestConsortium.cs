using System.Net.Http.Headers;
using Ledger.Node.Parties;
using Ledger.Protocol.Crypto;

namespace Ledger.Node.Tests.Network;

/// <summary>A hosted party of a <see cref="TestConsortium"/>: its address, key and API token.</summary>
public sealed record TestParty(string Name, Address Address, PrivateKey Key, string Token, IReadOnlyList<string> Glns);

/// <summary>
/// A node data folder set up the way partner IT does it, through the real CLI (`ledger node init` / `add-party`):
/// maker (prefix 030001, the GS1 US pharma example's company; line 0300011111116, dock 0300011111215),
/// wholesaler (0399993456780, 0399999999991 — the example's ship-to), pharmacy (0398880000013) and fda (regulator).
/// </summary>
public sealed class TestConsortium : IDisposable
{
    private readonly TestDirectory _directory = new();

    private TestConsortium() => DataDirectory = Path.Combine(_directory.Path, "node");

    /// <summary>The node's data folder.</summary>
    public string DataDirectory { get; }

    /// <summary>The parties by name.</summary>
    public IReadOnlyDictionary<string, TestParty> Parties { get; private set; } = new Dictionary<string, TestParty>();

    /// <summary>maker.</summary>
    public TestParty Maker => Parties["maker"];

    /// <summary>wholesaler.</summary>
    public TestParty Wholesaler => Parties["wholesaler"];

    /// <summary>pharmacy.</summary>
    public TestParty Pharmacy => Parties["pharmacy"];

    /// <summary>fda (regulator).</summary>
    public TestParty Regulator => Parties["fda"];

    /// <summary>Creates the data folder with the four parties.</summary>
    public static async Task<TestConsortium> CreateAsync()
    {
        var c = new TestConsortium();
        var d = c.DataDirectory;
        (string Name, string[] Args)[] parties =
        [
            ("maker", ["--role", "manufacturer", "--prefix", "030001", "--gln", "0300011111116", "--gln", "0300011111215"]),
            ("wholesaler", ["--role", "wholesaler", "--gln", "0399993456780", "--gln", "0399999999991"]),
            ("pharmacy", ["--role", "dispenser", "--gln", "0398880000013"]),
            ("fda", ["--role", "regulator"]),
        ];
        var result = new Dictionary<string, TestParty>(StringComparer.Ordinal);
        var first = true;
        foreach (var (name, args) in parties)
        {
            var (code, stdout, stderr) = await NodeProcess.RunToExitAsync([.. new[] { "node", first ? "init" : "add-party", "--data", d, "--party-name", name }, .. args]);
            if (code != 0)
                throw new InvalidOperationException($"ledger node {(first ? "init" : "add-party")} {name} exited {code}: {stderr}{stdout}");
            first = false;
            var key = KeyFile.Load(HostedParties.KeyPath(d, name));
            var token = (await File.ReadAllTextAsync(HostedParties.TokenPath(d, name))).Trim();
            result[name] = new TestParty(name, key.Address, key, token,
                [.. args.Select((a, i) => (a, i)).Where(x => x.a == "--gln").Select(x => args[x.i + 1])]);
        }
        c.Parties = result;
        return c;
    }

    /// <summary>Starts `ledger node run` on this data folder.</summary>
    public Task<NodeProcess> StartNodeAsync(IEnumerable<string>? args = null, IDictionary<string, string>? environment = null) =>
        NodeProcess.StartAsync(DataDirectory, args, environment);

    /// <summary>An HTTP client for the node that authenticates as <paramref name="party"/> (null: unauthenticated).</summary>
    public static HttpClient ClientFor(NodeProcess node, TestParty? party)
    {
        ArgumentNullException.ThrowIfNull(node);
        var client = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (party is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", party.Token);
        return client;
    }

    /// <inheritdoc/>
    public void Dispose() => _directory.Dispose();
}
