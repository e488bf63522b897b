using System.Numerics;
using System.Text.Json;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Evm.Contracts.Definitions;
using Nethereum.Contracts;

namespace Ledger.Evm.Contracts;

/// <summary>Where both contracts were deployed, and the receipts of the two creations.</summary>
public sealed record ContractDeployment(Address Registry, Address Anchor, EthereumReceipt RegistryReceipt, EthereumReceipt AnchorReceipt);

/// <summary>
/// The compiled Registry and Anchor contracts embedded in this assembly (contracts/out/*.json, resources
/// <c>Ledger.Evm.Contracts.{Registry,Anchor}.json</c>), and their deployment.
/// </summary>
public static class ContractArtifacts
{
    private static readonly Lazy<(string Abi, byte[] Bytecode)> RegistryArtifact = new(() => Load("Registry"));
    private static readonly Lazy<(string Abi, byte[] Bytecode)> AnchorArtifact = new(() => Load("Anchor"));

    /// <summary>The Registry's ABI (JSON array text) and creation bytecode.</summary>
    /// <exception cref="InvalidOperationException">The artifact is not embedded (contracts/out not built).</exception>
    public static (string Abi, byte[] Bytecode) Registry => RegistryArtifact.Value;

    /// <summary>The Anchor's ABI (JSON array text) and creation bytecode.</summary>
    /// <exception cref="InvalidOperationException">The artifact is not embedded (contracts/out not built).</exception>
    public static (string Abi, byte[] Bytecode) Anchor => AnchorArtifact.Value;

    /// <summary>Deploys Registry(consortiumName) then Anchor from <paramref name="sender"/>, each waited for to <paramref name="confirmations"/>.</summary>
    public static async Task<(Address Registry, Address Anchor)> DeployAsync(TransactionSender sender, string consortiumName, int confirmations, CancellationToken cancellationToken = default)
    {
        var deployment = await DeployWithReceiptsAsync(sender, consortiumName, confirmations, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        return (deployment.Registry, deployment.Anchor);
    }

    /// <summary>As <see cref="DeployAsync"/>, with the receipts.</summary>
    public static async Task<ContractDeployment> DeployWithReceiptsAsync(TransactionSender sender, string consortiumName, int confirmations, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consortiumName);
        var registry = await DeployAsync(sender, new RegistryDeployment { ConsortiumName = consortiumName }, confirmations, timeout, cancellationToken).ConfigureAwait(false);
        var anchor = await DeployAsync(sender, new AnchorDeployment(), confirmations, timeout, cancellationToken).ConfigureAwait(false);
        return new ContractDeployment(registry.ContractAddress!.Value, anchor.ContractAddress!.Value, registry, anchor);
    }

    /// <summary>Deploys a typed Nethereum deployment message (its bytecode followed by its ABI-encoded constructor arguments) and waits for it.</summary>
    /// <exception cref="EthereumRpcException">The creation reverted (at estimation), or the receipt reports failure.</exception>
    public static async Task<EthereumReceipt> DeployAsync<TDeployment>(TransactionSender sender, TDeployment deployment, int confirmations, TimeSpan timeout, CancellationToken cancellationToken = default)
        where TDeployment : ContractDeploymentMessage, new()
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(deployment);
        var initCode = deployment.GetDeploymentData();
        var receipt = await sender.SendAndWaitAsync(null, initCode, BigInteger.Zero, confirmations, timeout, cancellationToken).ConfigureAwait(false);
        if (!receipt.Succeeded || receipt.ContractAddress is null)
            throw new EthereumRpcException($"contract creation {Hex.Encode0x(receipt.TransactionHash.ToArray())} failed in block {receipt.BlockNumber}");
        return receipt;
    }

    /// <summary>Deploys any creation bytecode followed by its ABI-encoded constructor arguments and waits for it.</summary>
    /// <exception cref="EthereumRpcException">The creation reverted (at estimation), or the receipt reports failure.</exception>
    public static async Task<EthereumReceipt> DeployContractAsync(TransactionSender sender, byte[] bytecode, byte[] constructorArguments, int confirmations, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(bytecode);
        ArgumentNullException.ThrowIfNull(constructorArguments);
        var receipt = await sender.SendAndWaitAsync(null, [.. bytecode, .. constructorArguments], BigInteger.Zero, confirmations, timeout, cancellationToken).ConfigureAwait(false);
        if (!receipt.Succeeded || receipt.ContractAddress is null)
            throw new EthereumRpcException($"contract creation {Hex.Encode0x(receipt.TransactionHash.ToArray())} failed in block {receipt.BlockNumber}");
        return receipt;
    }

    private static (string Abi, byte[] Bytecode) Load(string contract)
    {
        var name = $"Ledger.Evm.Contracts.{contract}.json";
        using var stream = typeof(ContractArtifacts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded: build contracts/out (node contracts/build.js) and rebuild Ledger.Evm");
        using var doc = JsonDocument.Parse(stream);
        var abi = doc.RootElement.GetProperty("abi").GetRawText();
        var bytecode = Hex.Decode(doc.RootElement.GetProperty("bytecode").GetString()!);
        if (bytecode.Length == 0)
            throw new InvalidOperationException($"{name}: empty bytecode");
        return (abi, bytecode);
    }
}
