using System.Text.Json;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Cli.Tests;

public sealed class ConsortiumCommandTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("ledger-consortium-");

    public void Dispose() => _root.Delete(recursive: true);

    private string File_ => Path.Combine(_root.FullName, "consortium.json");

    private static readonly Address A = PrivateKey.Generate().Address;
    private static readonly Address B = PrivateKey.Generate().Address;

    private Task<CliResult> Init(params string[] extra) =>
        CliRunner.RunAsync(["consortium", "init", "--file", File_, "--name", "devnet", "--node-name", "node-1", "--node-address", A.ToString(),
            "--cluster", "127.0.0.1:4053", .. extra]);

    [Fact]
    public async Task InitThenAddNode_WritesValidV2FileWithBothNodesAndVersionBumped()
    {
        Assert.Equal(0, (await Init()).ExitCode);
        var r = await CliRunner.RunAsync(["consortium", "add-node", "--file", File_, "--node-name", "node-2", "--node-address", B.ToString(),
            "--cluster", "127.0.0.1:4054", "--endpoint", "http://127.0.0.1:8081"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.StdErr);
        Assert.Equal(2, JsonDocument.Parse(r.StdOut).RootElement.GetProperty("version").GetInt64());

        var definition = ConsortiumFile.Parse(File.ReadAllText(File_));
        Assert.Equal(2, definition.Version);
        Assert.Equal([A, B], definition.Nodes.Select(n => n.Address));
        Assert.Equal("127.0.0.1:4054", definition.Nodes[1].Cluster);
        Assert.Equal("http://127.0.0.1:8081", definition.Nodes[1].Endpoint);

        var show = await CliRunner.RunAsync(["consortium", "show", "--file", File_]);
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("consortium devnet version 2: 2 node(s), quorum 2", show.StdOut, StringComparison.Ordinal);
        Assert.Contains($"node node-2 {B} endpoint http://127.0.0.1:8081 cluster 127.0.0.1:4054", show.StdOut, StringComparison.Ordinal);

        var json = await CliRunner.RunAsync(["consortium", "show", "--file", File_, "--json"]);
        Assert.Equal(File.ReadAllText(File_), json.StdOut);
    }

    [Fact]
    public async Task AddNode_DuplicateCluster_RefusedNamingOptionAndRule_FileUnchanged()
    {
        Assert.Equal(0, (await Init()).ExitCode);
        var before = File.ReadAllText(File_);
        var r = await CliRunner.RunAsync(["consortium", "add-node", "--file", File_, "--node-name", "node-2", "--node-address", B.ToString(),
            "--cluster", "127.0.0.1:4053"]);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("--cluster: nodes[1].cluster: ", r.StdErr, StringComparison.Ordinal);
        Assert.EndsWith("[unique]\n", r.StdErr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(File_));
    }

    [Fact]
    public async Task Init_BadQuorumOrAddress_RefusedAndNoFileWritten()
    {
        var quorum = await Init("--quorum", "2");
        Assert.Equal(2, quorum.ExitCode);
        Assert.StartsWith("--quorum: quorum: ", quorum.StdErr, StringComparison.Ordinal);
        Assert.EndsWith("[quorum]\n", quorum.StdErr, StringComparison.Ordinal);

        var address = await CliRunner.RunAsync(["consortium", "init", "--file", File_, "--name", "devnet", "--node-name", "node-1", "--node-address", "0x12"]);
        Assert.Equal(2, address.ExitCode);
        Assert.StartsWith("--node-address: ", address.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(File_));
    }

    [Fact]
    public async Task Init_ExistingFile_RefusedAndFileUnchanged()
    {
        Assert.Equal(0, (await Init()).ExitCode);
        var before = File.ReadAllText(File_);
        var r = await Init();
        Assert.Equal(2, r.ExitCode);
        Assert.EndsWith("[already-initialised]\n", r.StdErr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(File_));
    }

    [Fact]
    public async Task AddParty_WithData_WritesPartyKeyAndToken_ThenSignByNodeKey_VerifiesAndAddNodeDropsIt()
    {
        var data = Directory.CreateDirectory(Path.Combine(_root.FullName, "node-1")).FullName;
        var keygen = await CliRunner.RunAsync(["keygen", "--out", Path.Combine(data, "node.key")]);
        Assert.Equal(0, keygen.ExitCode);
        var nodeAddress = JsonDocument.Parse(keygen.StdOut).RootElement.GetProperty("address").GetString()!;
        Assert.Equal(0, (await CliRunner.RunAsync(["consortium", "init", "--file", File_, "--name", "devnet", "--node-name", "node-1", "--node-address", nodeAddress])).ExitCode);

        var add = await CliRunner.RunAsync(["consortium", "add-party", "--file", File_, "--node-name", "node-1", "--data", data,
            "--party-name", "acme", "--role", "manufacturer", "--prefix", "0614141", "--gln", "0614141000005"]);
        Assert.Equal(0, add.ExitCode);
        Assert.Equal("", add.StdErr);
        var summary = JsonDocument.Parse(add.StdOut).RootElement;
        Assert.Equal(2, summary.GetProperty("version").GetInt64());
        var tokenFile = summary.GetProperty("tokenFile").GetString()!;
        Assert.True(File.Exists(tokenFile));
        var definition = ConsortiumFile.Parse(File.ReadAllText(File_));
        var party = Assert.Single(definition.Parties);
        Assert.Equal(Address.Parse(nodeAddress), party.Node);
        Assert.Equal(["0614141000005"], party.Glns);
        Assert.Equal(party.Address.ToString(), (await CliRunner.RunAsync(["keygen", "show", "--key-file", Path.Combine(data, "parties", "acme.key")])).StdOut
            .Split('"')[3]);

        var sign = await CliRunner.RunAsync(["consortium", "sign", "--file", File_, "--key", Path.Combine(data, "node.key")]);
        Assert.Equal(0, sign.ExitCode);
        Assert.True(JsonDocument.Parse(sign.StdOut).RootElement.GetProperty("signerIsNode").GetBoolean());
        var signed = ConsortiumFile.Parse(File.ReadAllText(File_));
        Assert.Equal(nodeAddress, Assert.Single(signed.Signatures).Node.ToString());
        ConsortiumChanges.CheckSuccessor(null, signed);
        Assert.Contains($"signed by node-1 {nodeAddress}", (await CliRunner.RunAsync(["consortium", "show", "--file", File_])).StdOut, StringComparison.Ordinal);

        Assert.Equal(0, (await CliRunner.RunAsync(["consortium", "add-node", "--file", File_, "--node-name", "node-2", "--node-address", B.ToString()])).ExitCode);
        Assert.Empty(ConsortiumFile.Parse(File.ReadAllText(File_)).Signatures);
    }

    [Fact]
    public async Task AddParty_BadGln_RefusedNamingOptionAndRule_FileUnchangedAndNoKeyWritten()
    {
        Assert.Equal(0, (await Init()).ExitCode);
        var before = File.ReadAllText(File_);
        var data = Path.Combine(_root.FullName, "host");
        var r = await CliRunner.RunAsync(["consortium", "add-party", "--file", File_, "--node-name", "node-1", "--data", data,
            "--party-name", "acme", "--gln", "0614141000006"]);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("--gln: parties[0].glns[0]: ", r.StdErr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(File_));
        Assert.False(Directory.Exists(Path.Combine(data, "parties")));
    }

    [Fact]
    public async Task AddParty_UnknownNodeOrNoKeySource_Refused_FileUnchanged()
    {
        Assert.Equal(0, (await Init()).ExitCode);
        var before = File.ReadAllText(File_);
        var unknown = await CliRunner.RunAsync(["consortium", "add-party", "--file", File_, "--node-name", "node-9", "--party-address", B.ToString(), "--party-name", "acme"]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith("--node-name: ", unknown.StdErr, StringComparison.Ordinal);
        Assert.EndsWith("[unknown-node]\n", unknown.StdErr, StringComparison.Ordinal);
        var neither = await CliRunner.RunAsync(["consortium", "add-party", "--file", File_, "--node-name", "node-1", "--party-name", "acme"]);
        Assert.Equal(2, neither.ExitCode);
        Assert.EndsWith("[one-of]\n", neither.StdErr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(File_));

        var ok = await CliRunner.RunAsync(["consortium", "add-party", "--file", File_, "--node-name", "node-1", "--party-address", B.ToString(), "--party-name", "acme", "--role", "regulator"]);
        Assert.Equal(0, ok.ExitCode);
        Assert.Equal(B, Assert.Single(ConsortiumFile.Parse(File.ReadAllText(File_)).Parties).Address);
    }

    [Fact]
    public async Task Sign_ThenEditedByHand_IsRefusedOnRead()
    {
        var keyFile = Path.Combine(_root.FullName, "a.key");
        var keygen = await CliRunner.RunAsync(["keygen", "--out", keyFile]);
        var address = JsonDocument.Parse(keygen.StdOut).RootElement.GetProperty("address").GetString()!;
        Assert.Equal(0, (await CliRunner.RunAsync(["consortium", "init", "--file", File_, "--name", "devnet", "--node-name", "node-1", "--node-address", address])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["consortium", "sign", "--file", File_, "--key", keyFile])).ExitCode);
        File.WriteAllText(File_, File.ReadAllText(File_).Replace("\"devnet\"", "\"devnez\"", StringComparison.Ordinal));
        var show = await CliRunner.RunAsync(["consortium", "show", "--file", File_]);
        Assert.Equal(2, show.ExitCode);
        Assert.EndsWith("[signature]\n", show.StdErr, StringComparison.Ordinal);
        var missing = await CliRunner.RunAsync(["consortium", "sign", "--file", File_, "--key", Path.Combine(_root.FullName, "none.key")]);
        Assert.Equal(2, missing.ExitCode);
        Assert.StartsWith("--", missing.StdErr, StringComparison.Ordinal);
    }
}
