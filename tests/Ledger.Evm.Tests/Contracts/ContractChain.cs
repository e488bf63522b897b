using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ledger.Evm.Tests.Chain;
using Xunit;

namespace Ledger.Evm.Tests.Contracts;

/// <summary>
/// One anvil per test class (class fixture), driven through <c>cast</c> only: deploy the committed artifacts, send
/// transactions, read with <c>cast call --json</c>, and capture the revert data of a refused transaction.
/// </summary>
public sealed partial class ContractChain : IAsyncLifetime
{
    private static readonly ConcurrentDictionary<string, string> Addresses = new(StringComparer.Ordinal);
    private AnvilProcess? _anvil;

    /// <summary>The anvil JSON-RPC endpoint.</summary>
    public string Rpc => (_anvil ?? throw new InvalidOperationException("anvil not started")).RpcUrl.ToString();

    /// <inheritdoc/>
    public async Task InitializeAsync() => _anvil = await AnvilProcess.StartAsync();

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_anvil is not null)
            await _anvil.DisposeAsync();
    }

    /// <summary>The committed artifact contracts/out/<paramref name="contract"/>.json.</summary>
    public static JsonElement Artifact(string contract)
    {
        var path = Path.Combine(AnvilProcess.RepositoryRoot(), "contracts", "out", contract + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    /// <summary>Deploys the committed artifact with ABI-encoded constructor arguments; returns address and receipt.</summary>
    public async Task<(string Address, JsonElement Receipt)> DeployAsync(string key, string contract, string? constructorSignature = null, params string[] constructorArgs)
    {
        var code = Artifact(contract).GetProperty("bytecode").GetString()!;
        if (constructorSignature is not null)
            code += (await Cast.OutputAsync(["abi-encode", constructorSignature, .. constructorArgs]))[2..];
        var receipt = Json(await Cast.OutputAsync("send", "--rpc-url", Rpc, "--private-key", key, "--json", "--create", code));
        Assert.Equal("0x1", receipt.GetProperty("status").GetString());
        return (receipt.GetProperty("contractAddress").GetString()!, receipt);
    }

    /// <summary>Sends a transaction that must succeed; returns its receipt.</summary>
    public async Task<JsonElement> SendAsync(string key, string to, string signature, params string[] args)
    {
        var receipt = Json(await Cast.OutputAsync(["send", "--rpc-url", Rpc, "--private-key", key, "--json", to, signature, .. args]));
        Assert.Equal("0x1", receipt.GetProperty("status").GetString());
        return receipt;
    }

    /// <summary>Sends a transaction that must be refused; returns the revert data (lowercase 0x-hex).</summary>
    public async Task<string> RevertDataAsync(string key, string to, string signature, params string[] args)
    {
        var (code, stdout, stderr) = await Cast.RunAsync(["send", "--rpc-url", Rpc, "--private-key", key, "--json", to, signature, .. args]);
        Assert.True(code != 0, $"expected a revert of {signature}, but cast succeeded: {stdout}");
        var match = RevertData().Match(stderr);
        Assert.True(match.Success, $"no revert data in: {stderr}");
        return match.Groups[1].Value.ToLowerInvariant();
    }

    /// <summary>Calls a view function; <paramref name="signature"/> includes the return types, e.g. <c>f()(uint256)</c>.</summary>
    public async Task<JsonElement> CallAsync(string to, string signature, params string[] args)
        => Json(await Cast.OutputAsync(["call", "--json", "--rpc-url", Rpc, to, signature, .. args]));

    /// <summary>The revert data of a custom error, built by cast (the oracle), e.g. <c>ErrorDataAsync("SizeNotGrowing(uint64,uint64)", "9", "7")</c>.</summary>
    public static async Task<string> ErrorDataAsync(string errorSignature, params string[] args)
        => (await Cast.OutputAsync(["calldata", errorSignature, .. args])).ToLowerInvariant();

    /// <summary>The address of a private key (EIP-55), as cast derives it; cached per key.</summary>
    public static async Task<string> AddressOfAsync(string key)
    {
        if (Addresses.TryGetValue(key, out var known))
            return known;
        var address = await Cast.OutputAsync("wallet", "address", "--private-key", key);
        Addresses[key] = address;
        return address;
    }

    /// <summary>Decimal text of a number for cast arguments.</summary>
    public static string Dec(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static JsonElement Json(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    [GeneratedRegex("data: \"(0x[0-9a-fA-F]*)\"")]
    private static partial Regex RevertData();
}
