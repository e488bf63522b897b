using System.Text.Json;
using Ledger.Cli.Tests;
using Ledger.Evm.Tests.Chain;
using Ledger.Node;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Evm.Tests.Client;

/// <summary>`ledger evm …` as a real process against anvil.</summary>
public sealed class EvmCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ledger-evm-cli-" + Guid.NewGuid().ToString("N"));

    public EvmCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string HexKeyFile(string key)
    {
        var path = Path.Combine(_dir, "dev.key");
        File.WriteAllText(path, key + "\n");
        return path;
    }

    [Fact]
    public async Task Fund_HexKeyFile_ChangesBalanceAsCastSees()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        var to = PrivateKey.Generate().Address.ToString();
        var r = await CliRunner.RunAsync("evm", "fund", "--rpc", anvil.RpcUrl.ToString(), "--key-file", HexKeyFile(AnvilProcess.DevKeys[0]), "--to", to, "--eth", "1.5");
        Assert.True(r.ExitCode == 0, r.StdErr);
        using var json = JsonDocument.Parse(r.StdOut);
        Assert.Equal("1500000000000000000", json.RootElement.GetProperty("wei").GetString());
        Assert.Equal("1500000000000000000", json.RootElement.GetProperty("balance").GetString());
        Assert.Equal("1500000000000000000", await Cast.OutputAsync("balance", to, "--rpc-url", anvil.RpcUrl.ToString()));
        var tx = json.RootElement.GetProperty("transaction").GetString()!;
        Assert.Equal("true", await Cast.OutputAsync("receipt", tx, "status", "--rpc-url", anvil.RpcUrl.ToString()));
    }

    [Fact]
    public async Task Fund_NodeKeyFileTwice_UsesConsecutiveNonces()
    {
        await using var anvil = await AnvilProcess.StartAsync();
        var keyPath = Path.Combine(_dir, "node.key.json");
        KeyFile.Save(keyPath, PrivateKey.Parse(AnvilProcess.DevKeys[1]));
        var to = PrivateKey.Generate().Address.ToString();
        for (var i = 0; i < 2; i++)
        {
            var r = await CliRunner.RunAsync("evm", "fund", "--rpc", anvil.RpcUrl.ToString(), "--key-file", keyPath, "--to", to, "--eth", "0.25");
            Assert.True(r.ExitCode == 0, r.StdErr);
        }
        Assert.Equal("500000000000000000", await Cast.OutputAsync("balance", to, "--rpc-url", anvil.RpcUrl.ToString()));
        Assert.True(File.Exists(keyPath + ".nonces.json"));
    }

    public static TheoryData<string, string, string, string> BadInputs() => new()
    {
        { "--to", "0x1234", "1", "present" },
        { "--to", "0x000000000000000000000000000000000000DeaD", "1", "present" }, // mixed case with a wrong EIP-55 checksum
        { "--eth", "0x000000000000000000000000000000000000dEaD", "1.5e3", "present" },
        { "--eth", "0x000000000000000000000000000000000000dEaD", "-1", "present" },
        { "--eth", "0x000000000000000000000000000000000000dEaD", "0.0000000000000000001", "present" },
        { "--eth", "0x000000000000000000000000000000000000dEaD", "0", "present" },
        { "--key-file", "0x000000000000000000000000000000000000dEaD", "1", "missing" },
        { "--key-file", "0x000000000000000000000000000000000000dEaD", "1", "garbage" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Fund_BadInput_ExitsTwoNamingTheOption(string option, string to, string eth, string keyFile)
    {
        var keyPath = keyFile switch
        {
            "missing" => Path.Combine(_dir, "nope.key"),
            "garbage" => Path.Combine(_dir, "garbage.key"),
            _ => HexKeyFile(AnvilProcess.DevKeys[0]),
        };
        if (keyFile == "garbage")
            await File.WriteAllTextAsync(keyPath, "not a key");
        // Nothing listens on port 9 of the loopback: input is checked before the chain is contacted.
        var r = await CliRunner.RunAsync("evm", "fund", "--rpc", "http://127.0.0.1:9", "--key-file", keyPath, "--to", to, "--eth", eth);
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(option + ":", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_BadRpcUrl_ExitsTwoNamingRpc()
    {
        var r = await CliRunner.RunAsync("evm", "deploy", "--rpc", "not a url", "--key-file", HexKeyFile(AnvilProcess.DevKeys[0]));
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("--rpc:", r.StdErr, StringComparison.Ordinal);
    }
}
