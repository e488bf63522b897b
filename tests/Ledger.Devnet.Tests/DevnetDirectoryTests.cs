using System.Text.Json;
using Xunit;

namespace Ledger.Devnet.Tests;

/// <summary>
/// <see cref="DevnetDirectory"/> on the layout <c>devnet/up --nodes 2</c> makes (no node runs): each party is reached
/// through the node whose <c>tokens/</c> holds its token, so the story addresses every party on its own node.
/// </summary>
public sealed class DevnetDirectoryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ledger-devnet-dir-tests-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Load_TwoNodes_EachPartyThroughTheNodeHostingIt()
    {
        var consortium = await MakeTwoNodeConsortiumAsync();
        WriteState(consortium, ("node-1", "http://127.0.0.1:7911", true), ("node-2", "http://127.0.0.1:7912", false));

        var devnet = DevnetDirectory.Load(_root);

        Assert.Equal(["acme-pharma", "big-wholesale", "corner-pharmacy", "regulator"], devnet.Parties.Select(p => p.Name));
        Assert.Equal([("node-1", "http://127.0.0.1:7911/"), ("node-2", "http://127.0.0.1:7912/"), ("node-1", "http://127.0.0.1:7911/"), ("node-2", "http://127.0.0.1:7912/")],
            devnet.Parties.Select(p => (p.NodeName, p.NodeUrl.ToString())));
        Assert.All(devnet.Parties, p => Assert.Equal(Path.Combine(_root, "nodes", p.NodeName, "tokens", p.Name + ".token"), p.TokenFile));
        Assert.All(devnet.Parties, p => Assert.Equal(p.Party.Address, Sdk.Client.PartyKeyFile.Load(p.KeyFile).Address));
    }

    [Fact]
    public async Task Load_APartyNoNodeHosts_IsRefusedByName()
    {
        var consortium = await MakeTwoNodeConsortiumAsync();
        WriteState(consortium, ("node-1", "http://127.0.0.1:7911", true));

        var devnet = DevnetDirectory.Load(_root);

        Assert.Equal(["acme-pharma", "corner-pharmacy"], devnet.Parties.Select(p => p.Name));
        var e = Assert.Throws<DevnetInputException>(() => devnet.Party("regulator"));
        Assert.Equal(("party", "unknown-party"), (e.Field, e.Rule));
    }

    [Fact]
    public async Task Story_NodesNotRunning_FailsNamingTheNodeItCannotReach()
    {
        var consortium = await MakeTwoNodeConsortiumAsync();
        // Port 1 on the loopback address: nothing listens there.
        WriteState(consortium, ("node-1", "http://127.0.0.1:1", true), ("node-2", "http://127.0.0.1:1", false));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await DevnetCli.RunAsync(["story", "--devnet", _root, "--packs", "4"], stdout, stderr);

        Assert.Equal(DevnetCli.Failed, code);
        Assert.StartsWith("story: cannot reach node-1 at http://127.0.0.1:1/", stderr.ToString(), StringComparison.Ordinal);
        Assert.Empty(stdout.ToString());
    }

    [Fact]
    public void Load_StateWithoutConsortium_NamesTheMember()
    {
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "devnet.json"), """{"nodes":[]}""");
        var e = Assert.Throws<DevnetInputException>(() => DevnetDirectory.Load(_root));
        Assert.EndsWith("devnet.json.consortium", e.Field, StringComparison.Ordinal);
        Assert.Equal("required", e.Rule);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    /// <summary>Two nodes, the four parties spread as devnet/up spreads them (party k on node ((k-1) mod 2)+1).</summary>
    private async Task<string> MakeTwoNodeConsortiumAsync()
    {
        var file = Path.Combine(_root, "consortium.json");
        var addresses = new List<string>();
        foreach (var node in new[] { "node-1", "node-2" })
        {
            Directory.CreateDirectory(Path.Combine(_root, "nodes", node));
            addresses.Add(JsonDocument.Parse(Ok(await LedgerProcess.RunAsync("keygen", "--out", Path.Combine(_root, "nodes", node, "node.key")))).RootElement.GetProperty("address").GetString()!);
        }
        Ok(await LedgerProcess.RunAsync("consortium", "init", "--file", file, "--name", "devnet", "--node-name", "node-1", "--node-address", addresses[0]));
        Ok(await LedgerProcess.RunAsync("consortium", "add-node", "--file", file, "--node-name", "node-2", "--node-address", addresses[1]));
        Ok(await AddParty(file, "node-1", "acme-pharma", "manufacturer", "--prefix", "0614141", "--gln", "0614141000005"));
        Ok(await AddParty(file, "node-2", "big-wholesale", "wholesaler", "--gln", "0399993456780"));
        Ok(await AddParty(file, "node-1", "corner-pharmacy", "dispenser", "--gln", "0398880000013"));
        Ok(await AddParty(file, "node-2", "regulator", "regulator"));
        return file;
    }

    /// <summary>devnet.json as devnet/up writes it; a node with <c>withTokenFile</c> false gives an empty tokenFile.</summary>
    private void WriteState(string consortium, params (string Name, string Url, bool WithTokenFile)[] nodes) =>
        File.WriteAllText(Path.Combine(_root, "devnet.json"), JsonSerializer.Serialize(new
        {
            explorer = "http://127.0.0.1:7900",
            consortium,
            nodes = nodes.Select(n => new
            {
                name = n.Name,
                url = n.Url,
                lane = "",
                tokenFile = n.WithTokenFile ? Directory.GetFiles(Path.Combine(_root, "nodes", n.Name, "tokens")).Order(StringComparer.Ordinal).First() : "",
            }),
        }));

    private Task<LedgerRun> AddParty(string file, string node, string name, string role, params string[] more) =>
        LedgerProcess.RunAsync(["consortium", "add-party", "--file", file, "--node-name", node, "--data", Path.Combine(_root, "nodes", node), "--party-name", name, "--role", role, .. more]);

    private static string Ok(LedgerRun run) =>
        run.ExitCode == 0 ? run.StdOut : throw new InvalidOperationException($"ledger exited {run.ExitCode}: {run.StdErr}");
}
