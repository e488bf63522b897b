using System.Text.Json;
using Ledger.Engine.Consortium;
using Ledger.Evm.Contracts;
using Ledger.Evm.Tests.Chain;
using Ledger.Node;
using Ledger.Node.Anchoring;
using Ledger.Node.Tests;
using Ledger.Node.Tests.Network;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Xunit;
using static Ledger.Evm.Tests.Anchoring.AnchoringKit;

namespace Ledger.Evm.Tests.Anchoring;

[Collection("anchoring")]
public sealed class RegistryConsortiumTests
{
    private static string List(IEnumerable<string> items) => "[" + string.Join(',', items) + "]";

    /// <summary>Writes every node and party of <paramref name="definition"/> to the Registry with cast (the admin is dev key 1, bootstrapping).</summary>
    private static async Task RegisterAsync(AnvilProcess anvil, Address registry, ConsortiumDefinition definition)
    {
        var rpc = anvil.RpcUrl.ToString();
        foreach (var n in definition.Nodes)
            await Cast.OutputAsync("send", "--rpc-url", rpc, "--private-key", AnvilProcess.DevKeys[1], registry.ToString(),
                "setNode(address,string,string)", n.Address.ToString(), n.Name, n.Endpoint);
        foreach (var p in definition.Parties)
            await SetPartyAsync(anvil, registry, p);
    }

    private static Task SetPartyAsync(AnvilProcess anvil, Address registry, Party p) =>
        Cast.OutputAsync("send", "--rpc-url", anvil.RpcUrl.ToString(), "--private-key", AnvilProcess.DevKeys[1], registry.ToString(),
            "setParty(address,string,address,uint8,string[],string[],string[])", p.Address.ToString(), p.Name, p.Node.ToString(),
            ((int)p.Roles).ToString(System.Globalization.CultureInfo.InvariantCulture), List(p.Glns), List(p.CompanyPrefixes), List(p.DelegatedGtins));

    [Fact]
    public async Task NodeRun_ConsortiumFromRegistry_ServesItAndAcceptsRecords_ThenBadGlnRefusesStart()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        var registry = await DeployAsync(anvil, ContractArtifacts.Registry.Bytecode, "constructor(string)", "chain-consortium");
        using var consortium = await TestConsortium.CreateAsync();
        var file = ConsortiumStore.Load(Path.Combine(consortium.DataDirectory, LedgerService.ConsortiumFileName));
        await RegisterAsync(anvil, registry, file);
        var source = $"evm:{anvil.RpcUrl}@{registry}";

        await using (var node = await consortium.StartNodeAsync(["--consortium", source]))
        {
            using var maker = TestConsortium.ClientFor(node, consortium.Maker);
            using var json = JsonDocument.Parse(await maker.GetStringAsync(new Uri("/v1/consortium", UriKind.Relative)));
            Assert.Equal("chain-consortium", json.RootElement.GetProperty("name").GetString());
            Assert.True(json.RootElement.GetProperty("version").GetInt64() >= 1);
            Assert.Equal(file.Parties.Count, json.RootElement.GetProperty("parties").EnumerateArray().Count(p => p.GetProperty("roles").GetString() != "None"));
            var serial = await CommissionAsync(node, consortium.Maker);

            // A verifier that takes its keys from the chain: the answer checks against the Registry's consortium.
            using var work = new TestDirectory();
            var answerFile = Path.Combine(work.Path, "answer.json");
            var saved = await Ledger.Cli.Tests.CliRunner.RunAsync("provenance", $"(01){Gtin}(21){serial}", "--node", node.BaseAddress.ToString(),
                "--token-file", Path.Combine(consortium.DataDirectory, "tokens", "maker.token"), "--out", answerFile);
            Assert.True(saved.ExitCode == 0, saved.StdErr);
            var verified = await Ledger.Cli.Tests.CliRunner.RunAsync("verify-proof", answerFile, "--consortium", source);
            Assert.True(verified.ExitCode == 0, verified.StdOut + verified.StdErr);
            // A Registry that does not list this node: the header's signer is not a consortium node.
            var other = await DeployAsync(anvil, ContractArtifacts.Registry.Bytecode, "constructor(string)", "other-consortium");
            var elsewhere = PrivateKey.Generate().Address;
            await RegisterAsync(anvil, other, file with { Nodes = [new ConsortiumNode("elsewhere", elsewhere, "")],
                Parties = [.. file.Parties.Select(p => p with { Node = elsewhere })] });
            var refused = await Ledger.Cli.Tests.CliRunner.RunAsync("verify-proof", answerFile, "--consortium", $"evm:{anvil.RpcUrl}@{other}");
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("header", refused.StdErr, StringComparison.Ordinal);
        }

        // A GLN with a wrong check digit on chain: the node refuses to start, naming the field and the rule like a file would.
        var pharmacy = file.Parties.Single(p => p.Name == "pharmacy");
        var bad = pharmacy.Glns[0][..12] + (char)('0' + ((pharmacy.Glns[0][12] - '0' + 1) % 10));
        await SetPartyAsync(anvil, registry, pharmacy with { Glns = [bad] });
        var index = file.Parties.ToList().IndexOf(pharmacy);
        var (code, _, stderr) = await NodeProcess.RunToExitAsync(["node", "run", "--data", consortium.DataDirectory, "--urls", "http://127.0.0.1:0", "--consortium", source]);
        Assert.Equal(2, code);
        Assert.Contains($"registry {registry}:parties[{index}].glns[0]", stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("check-digit", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeRun_RegistryWithoutThisNode_RefusesStartNamingTheNode()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        var registry = await DeployAsync(anvil, ContractArtifacts.Registry.Bytecode, "constructor(string)", "other");
        using var consortium = await TestConsortium.CreateAsync();
        var other = PrivateKey.Generate().Address;
        await RegisterAsync(anvil, registry, new ConsortiumDefinition("other", 1, [new ConsortiumNode("node-x", other, "")], []));
        var (code, _, stderr) = await NodeProcess.RunToExitAsync(["node", "run", "--data", consortium.DataDirectory, "--urls", "http://127.0.0.1:0",
            "--consortium", $"evm:{anvil.RpcUrl}@{registry}"]);
        Assert.Equal(2, code);
        Assert.Contains("this-node", stderr, StringComparison.Ordinal);
        Assert.Contains(NodeAddress(consortium.DataDirectory).ToString(), stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("file:x@0x0000000000000000000000000000000000000001")]
    [InlineData("evm:not a url@0x0000000000000000000000000000000000000001")]
    [InlineData("evm:http://127.0.0.1:8545@nope")]
    public void ParseSource_Malformed_ThrowsNamingConsortium(string source)
    {
        var e = Assert.Throws<NodeConfigurationException>(() => RegistryConsortium.ParseSource(source));
        Assert.Equal("Consortium", e.Field);
        Assert.Equal("source", e.Rule);
    }
}
