using System.Text.Json;
using Ledger.Cli.Tests;
using Ledger.Evm.Contracts;
using Ledger.Evm.Tests.Chain;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Evm.Tests.Client;

/// <summary>The C# bindings and `ledger evm deploy` against the real, committed contracts on anvil.</summary>
public sealed class DeploymentTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ledger-evm-deploy-" + Guid.NewGuid().ToString("N"));

    public DeploymentTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string DeployedAnchorCode()
    {
        var artifact = Path.Combine(AnvilProcess.RepositoryRoot(), "contracts", "out", "Anchor.json");
        using var json = JsonDocument.Parse(File.ReadAllText(artifact));
        return json.RootElement.GetProperty("deployedBytecode").GetString()!;
    }

    [Fact]
    public async Task DeployCommand_FreshChain_PrintsTwoContractsWithTheCommittedCode()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        var key = Path.Combine(_dir, "deployer.key");
        await File.WriteAllTextAsync(key, AnvilProcess.DevKeys[0] + "\n");
        var r = await CliRunner.RunAsync("evm", "deploy", "--rpc", anvil.RpcUrl.ToString(), "--key-file", key, "--name", "devnet");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        var registry = json.RootElement.GetProperty("registry").GetString()!;
        var anchor = json.RootElement.GetProperty("anchor").GetString()!;
        Assert.NotEqual(registry, anchor);
        var rpc = anvil.RpcUrl.ToString();
        Assert.Equal(DeployedAnchorCode(), await Cast.OutputAsync("code", anchor, "--rpc-url", rpc));
        Assert.Equal("\"devnet\"", await Cast.OutputAsync("call", registry, "name()(string)", "--rpc-url", rpc));
        var deployer = await Cast.OutputAsync("wallet", "address", "--private-key", AnvilProcess.DevKeys[0]);
        Assert.Equal(deployer, await Cast.OutputAsync("call", registry, "admin()(address)", "--rpc-url", rpc));
        Assert.Equal("true", await Cast.OutputAsync("call", registry, "bootstrapping()(bool)", "--rpc-url", rpc));
    }

    [Fact]
    public async Task Bindings_FourPartyConsortium_BootstrapThenThreeOfFourChangeReadBackAsCastSees()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        using var rpc = new EthereumRpcClient(anvil.RpcUrl);
        using var admin = await TransactionSender.OpenAsync(rpc, PrivateKey.Parse(AnvilProcess.DevKeys[0]), Path.Combine(_dir, "admin.nonce.json"), AnvilProcess.ChainId);
        var (registryAddress, anchorAddress) = await ContractArtifacts.DeployAsync(admin, "pharma-net", confirmations: 1);
        var registry = new RegistryContract(rpc, registryAddress);

        var node1 = PrivateKey.Generate().Address;
        var node2 = PrivateKey.Generate().Address;
        var members = Enumerable.Range(0, 4).Select(_ => PrivateKey.Generate()).ToList();
        var parties = new[]
        {
            new RegistryParty(members[0].Address, "maker", node1, 1, ["0300011111116"], ["030001"], []),
            new RegistryParty(members[1].Address, "wholesaler", node1, 2, ["0399993456780"], [], []),
            new RegistryParty(members[2].Address, "pharmacy", node2, 4, ["0398880000013"], [], []),
            new RegistryParty(members[3].Address, "fda", node2, 8, [], [], ["00300011111112"]),
        };
        await admin.WaitForReceiptAsync(await registry.SetNodeAsync(admin, new RegistryNode(node1, "node-1", "http://127.0.0.1:8080")), 1, TimeSpan.FromSeconds(30));
        await admin.WaitForReceiptAsync(await registry.SetNodeAsync(admin, new RegistryNode(node2, "node-2", "")), 1, TimeSpan.FromSeconds(30));
        foreach (var p in parties)
            await admin.WaitForReceiptAsync(await registry.SetPartyAsync(admin, p), 1, TimeSpan.FromSeconds(30));
        await admin.WaitForReceiptAsync(await registry.EndBootstrapAsync(admin, 3), 1, TimeSpan.FromSeconds(30));

        var before = await registry.ReadAllAsync();
        Assert.Equal("pharma-net", before.Name);
        Assert.False(before.Bootstrapping);
        Assert.Equal(3UL, before.Threshold);
        Assert.Equal([node1, node2], before.Nodes.Select(n => n.Address));
        Assert.Equal(parties.Select(p => (p.Address, p.Name, p.Node, p.Roles, string.Join(',', p.Glns), string.Join(',', p.CompanyPrefixes), string.Join(',', p.DelegatedGtins))),
            before.Parties.Select(p => (p.Address, p.Name, p.Node, p.Roles, string.Join(',', p.Glns), string.Join(',', p.CompanyPrefixes), string.Join(',', p.DelegatedGtins))));
        // cast, independently, decodes the same party.
        var castParty = await Cast.OutputAsync("call", registryAddress.ToString(), "partyAt(uint256)(address,string,address,uint8,string[],string[],string[])", "2", "--rpc-url", anvil.RpcUrl.ToString());
        Assert.Contains("\"pharmacy\"", castParty, StringComparison.Ordinal);
        Assert.Contains(members[2].Address.ToString(), castParty, StringComparison.Ordinal);

        // After bootstrap a change needs 3 of the 4 members: a new endpoint for node-2.
        var change = RegistryCalldata.SetNode(node2, "node-2", "https://node2.example");
        await admin.WaitForReceiptAsync(await registry.ExecuteSignedAsync(admin, change, members.Take(3)), 1, TimeSpan.FromSeconds(30));
        var after = await registry.ReadAllAsync();
        Assert.Equal("https://node2.example", after.Nodes[1].Endpoint);
        Assert.True(after.Version > before.Version);
        Assert.Equal(1UL, await registry.NonceAsync());

        // Two signatures are not enough: the revert is decoded into its custom error.
        var refused = await Assert.ThrowsAsync<EthereumRpcException>(() => registry.ExecuteSignedAsync(admin, RegistryCalldata.SetNode(node2, "node-2", "x"), members.Take(2)));
        Assert.Contains("BadSignatures", refused.RevertReason, StringComparison.Ordinal);

        // The Anchor binding on the real contract: a root, then a conflicting root for the same size is refused.
        var anchor = new AnchorContract(rpc, anchorAddress);
        var root = Keccak256.Hash("lane-log"u8);
        var receipt = await anchor.AnchorAsync(admin, 42, root, 1, TimeSpan.FromSeconds(30));
        Assert.True(receipt.Succeeded);
        Assert.Equal((42UL, root), await anchor.LatestAsync(admin.Address));
        var conflict = await Assert.ThrowsAsync<EthereumRpcException>(() => anchor.SubmitAnchorAsync(admin, 42, Keccak256.Hash("another-log"u8)));
        Assert.Contains("AlreadyAnchored", conflict.RevertReason, StringComparison.Ordinal);
        Assert.Null(await anchor.RootAtAsync(admin.Address, 41));
    }
}
