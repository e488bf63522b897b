using System.Numerics;
using System.Text;
using Ledger.Protocol;
using Ledger.Evm.Contracts.Definitions;
using Ledger.Protocol.Crypto;
using Nethereum.ABI;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace Ledger.Evm.Contracts;

/// <summary>A node registered in the Registry.</summary>
public sealed record RegistryNode(Address Address, string Name, string Endpoint);

/// <summary>A party registered in the Registry (roles: Ledger.Protocol.Custody.PartyRoles bits).</summary>
public sealed record RegistryParty(Address Address, string Name, Address Node, byte Roles, IReadOnlyList<string> Glns, IReadOnlyList<string> CompanyPrefixes, IReadOnlyList<string> DelegatedGtins);

/// <summary>Everything the Registry holds, read at one block.</summary>
public sealed record RegistrySnapshot(string Name, ulong Version, ulong Threshold, bool Bootstrapping, IReadOnlyList<RegistryNode> Nodes, IReadOnlyList<RegistryParty> Parties);

/// <summary>
/// The calldata of every Registry.sol function, encoded by Nethereum from the typed definitions (namespace
/// Ledger.Evm.Contracts.Definitions); a change's calldata is also the <c>data</c> of a proposal.
/// </summary>
public static class RegistryCalldata
{
    /// <summary><c>name()</c>.</summary>
    public static byte[] Name() => new NameFunction().GetCallData();

    /// <summary><c>admin()</c>.</summary>
    public static byte[] Admin() => new AdminFunction().GetCallData();

    /// <summary><c>bootstrapping()</c>.</summary>
    public static byte[] Bootstrapping() => new BootstrappingFunction().GetCallData();

    /// <summary><c>threshold()</c>.</summary>
    public static byte[] Threshold() => new ThresholdFunction().GetCallData();

    /// <summary><c>version()</c>.</summary>
    public static byte[] Version() => new VersionFunction().GetCallData();

    /// <summary><c>nonce()</c>.</summary>
    public static byte[] Nonce() => new NonceFunction().GetCallData();

    /// <summary><c>nodeCount()</c>.</summary>
    public static byte[] NodeCount() => new NodeCountFunction().GetCallData();

    /// <summary><c>nodeAt(uint256)</c>.</summary>
    public static byte[] NodeAt(ulong index) => new NodeAtFunction { Index = index }.GetCallData();

    /// <summary><c>partyCount()</c>.</summary>
    public static byte[] PartyCount() => new PartyCountFunction().GetCallData();

    /// <summary><c>partyAt(uint256)</c>.</summary>
    public static byte[] PartyAt(ulong index) => new PartyAtFunction { Index = index }.GetCallData();

    /// <summary><c>isNode(address)</c>.</summary>
    public static byte[] IsNode(Address address) => new IsNodeFunction { Address = address.ToString() }.GetCallData();

    /// <summary><c>isParty(address)</c>.</summary>
    public static byte[] IsParty(Address address) => new IsPartyFunction { Address = address.ToString() }.GetCallData();

    /// <summary><c>proposalDigest(bytes)</c>.</summary>
    public static byte[] ProposalDigest(byte[] data) => new ProposalDigestFunction { Data = data }.GetCallData();

    /// <summary><c>setNode(address,string,string)</c>.</summary>
    public static byte[] SetNode(Address node, string name, string endpoint) =>
        new SetNodeFunction { Node = node.ToString(), Name = name, Endpoint = endpoint }.GetCallData();

    /// <summary><c>removeNode(address)</c>.</summary>
    public static byte[] RemoveNode(Address node) => new RemoveNodeFunction { Node = node.ToString() }.GetCallData();

    /// <summary><c>setParty(address,string,address,uint8,string[],string[],string[])</c>.</summary>
    public static byte[] SetParty(RegistryParty party)
    {
        ArgumentNullException.ThrowIfNull(party);
        return new SetPartyFunction
        {
            Party = party.Address.ToString(),
            Name = party.Name,
            Node = party.Node.ToString(),
            Roles = party.Roles,
            Glns = [.. party.Glns],
            CompanyPrefixes = [.. party.CompanyPrefixes],
            DelegatedGtins = [.. party.DelegatedGtins],
        }.GetCallData();
    }

    /// <summary><c>removeParty(address)</c>.</summary>
    public static byte[] RemoveParty(Address party) => new RemovePartyFunction { Party = party.ToString() }.GetCallData();

    /// <summary><c>setThreshold(uint256)</c>.</summary>
    public static byte[] SetThreshold(ulong m) => new SetThresholdFunction { M = m }.GetCallData();

    /// <summary><c>endBootstrap(uint256)</c>.</summary>
    public static byte[] EndBootstrap(ulong m) => new EndBootstrapFunction { M = m }.GetCallData();

    /// <summary><c>execute(bytes,bytes[])</c>.</summary>
    public static byte[] Execute(byte[] data, IReadOnlyList<byte[]> signatures)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        return new ExecuteFunction { Data = data, Signatures = [.. signatures] }.GetCallData();
    }
}

/// <summary>Typed binding of the Registry contract (consortium membership on chain).</summary>
public sealed class RegistryContract
{
    private readonly EthereumRpcClient _rpc;

    /// <summary>Binds the contract at <paramref name="address"/>.</summary>
    public RegistryContract(EthereumRpcClient rpc, Address address)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        _rpc = rpc;
        Address = address;
    }

    /// <summary>The contract's address.</summary>
    public Address Address { get; }

    /// <summary><c>name()</c>.</summary>
    public Task<string> NameAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        QueryAsync<NameFunction, string>(new NameFunction(), blockTag, cancellationToken);

    /// <summary><c>admin()</c>.</summary>
    public async Task<Address> AdminAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        Address.Parse(await QueryAsync<AdminFunction, string>(new AdminFunction(), blockTag, cancellationToken).ConfigureAwait(false));

    /// <summary><c>bootstrapping()</c>.</summary>
    public async Task<bool> BootstrappingAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        await QueryAsync<BootstrappingFunction, bool>(new BootstrappingFunction(), blockTag, cancellationToken).ConfigureAwait(false);

    /// <summary><c>threshold()</c>.</summary>
    public Task<ulong> ThresholdAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        UIntAsync(new ThresholdFunction(), blockTag, cancellationToken);

    /// <summary><c>version()</c>.</summary>
    public Task<ulong> VersionAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        UIntAsync(new VersionFunction(), blockTag, cancellationToken);

    /// <summary><c>nonce()</c>: the number of executed proposals.</summary>
    public Task<ulong> NonceAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        UIntAsync(new NonceFunction(), blockTag, cancellationToken);

    /// <summary><c>nodeCount()</c>.</summary>
    public Task<ulong> NodeCountAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        UIntAsync(new NodeCountFunction(), blockTag, cancellationToken);

    /// <summary><c>partyCount()</c>.</summary>
    public Task<ulong> PartyCountAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        UIntAsync(new PartyCountFunction(), blockTag, cancellationToken);

    /// <summary><c>nodeAt(i)</c>.</summary>
    public async Task<RegistryNode> NodeAtAsync(ulong index, string blockTag = "latest", CancellationToken cancellationToken = default)
    {
        var v = await QueryObjectAsync<NodeAtFunction, NodeAtOutput>(new NodeAtFunction { Index = index }, blockTag, cancellationToken).ConfigureAwait(false);
        return new RegistryNode(Address.Parse(v.Node), v.Name, v.Endpoint);
    }

    /// <summary><c>partyAt(i)</c>.</summary>
    public async Task<RegistryParty> PartyAtAsync(ulong index, string blockTag = "latest", CancellationToken cancellationToken = default)
    {
        var v = await QueryObjectAsync<PartyAtFunction, PartyAtOutput>(new PartyAtFunction { Index = index }, blockTag, cancellationToken).ConfigureAwait(false);
        return new RegistryParty(Address.Parse(v.Party), v.Name, Address.Parse(v.Node), v.Roles, [.. v.Glns ?? []], [.. v.CompanyPrefixes ?? []], [.. v.DelegatedGtins ?? []]);
    }

    /// <summary><c>isNode(a)</c>.</summary>
    public Task<bool> IsNodeAsync(Address address, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        QueryAsync<IsNodeFunction, bool>(new IsNodeFunction { Address = address.ToString() }, blockTag, cancellationToken);

    /// <summary><c>isParty(a)</c>.</summary>
    public Task<bool> IsPartyAsync(Address address, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        QueryAsync<IsPartyFunction, bool>(new IsPartyFunction { Address = address.ToString() }, blockTag, cancellationToken);

    /// <summary><c>proposalDigest(data)</c> as the contract computes it (chain id, address, current nonce, keccak256(data)).</summary>
    public async Task<Hash32> ProposalDigestAsync(byte[] data, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        new(await QueryAsync<ProposalDigestFunction, byte[]>(new ProposalDigestFunction { Data = data }, blockTag, cancellationToken).ConfigureAwait(false));

    /// <summary>Every read at one block (pin <paramref name="blockTag"/> to a number for a consistent view).</summary>
    public async Task<RegistrySnapshot> ReadAllAsync(string blockTag = "latest", CancellationToken cancellationToken = default)
    {
        if (blockTag is "latest" or "pending" or "safe" or "finalized")
        {
            var block = await _rpc.GetBlockAsync(blockTag, cancellationToken).ConfigureAwait(false)
                ?? throw new EthereumRpcException($"eth_getBlockByNumber: the node has no '{blockTag}' block");
            blockTag = EthereumRpcClient.BlockTag(block.Number);
        }
        var name = await NameAsync(blockTag, cancellationToken).ConfigureAwait(false);
        var version = await VersionAsync(blockTag, cancellationToken).ConfigureAwait(false);
        var threshold = await ThresholdAsync(blockTag, cancellationToken).ConfigureAwait(false);
        var bootstrapping = await BootstrappingAsync(blockTag, cancellationToken).ConfigureAwait(false);
        var nodes = new List<RegistryNode>();
        var nodeCount = await NodeCountAsync(blockTag, cancellationToken).ConfigureAwait(false);
        for (ulong i = 0; i < nodeCount; i++)
            nodes.Add(await NodeAtAsync(i, blockTag, cancellationToken).ConfigureAwait(false));
        var parties = new List<RegistryParty>();
        var partyCount = await PartyCountAsync(blockTag, cancellationToken).ConfigureAwait(false);
        for (ulong i = 0; i < partyCount; i++)
            parties.Add(await PartyAtAsync(i, blockTag, cancellationToken).ConfigureAwait(false));
        return new RegistrySnapshot(name, version, threshold, bootstrapping, nodes, parties);
    }

    /// <summary>Sends <c>setNode</c> (admin, while bootstrapping); returns the transaction hash.</summary>
    public Task<Hash32> SetNodeAsync(TransactionSender sender, RegistryNode node, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        return SendAsync(sender, RegistryCalldata.SetNode(node.Address, node.Name, node.Endpoint), cancellationToken);
    }

    /// <summary>Sends <c>setParty</c> (admin, while bootstrapping); returns the transaction hash.</summary>
    public Task<Hash32> SetPartyAsync(TransactionSender sender, RegistryParty party, CancellationToken cancellationToken = default) =>
        SendAsync(sender, RegistryCalldata.SetParty(party), cancellationToken);

    /// <summary>Sends <c>removeNode</c>; returns the transaction hash.</summary>
    public Task<Hash32> RemoveNodeAsync(TransactionSender sender, Address node, CancellationToken cancellationToken = default) =>
        SendAsync(sender, RegistryCalldata.RemoveNode(node), cancellationToken);

    /// <summary>Sends <c>removeParty</c>; returns the transaction hash.</summary>
    public Task<Hash32> RemovePartyAsync(TransactionSender sender, Address party, CancellationToken cancellationToken = default) =>
        SendAsync(sender, RegistryCalldata.RemoveParty(party), cancellationToken);

    /// <summary>Sends <c>setThreshold</c>; returns the transaction hash.</summary>
    public Task<Hash32> SetThresholdAsync(TransactionSender sender, ulong m, CancellationToken cancellationToken = default) =>
        SendAsync(sender, RegistryCalldata.SetThreshold(m), cancellationToken);

    /// <summary>Sends <c>endBootstrap(m)</c>; returns the transaction hash.</summary>
    public Task<Hash32> EndBootstrapAsync(TransactionSender sender, ulong m, CancellationToken cancellationToken = default) =>
        SendAsync(sender, RegistryCalldata.EndBootstrap(m), cancellationToken);

    /// <summary>Sends <c>execute(data, signatures)</c>; signatures must be ordered by signer address (see <see cref="OrderSignatures"/>).</summary>
    public Task<Hash32> ExecuteAsync(TransactionSender sender, byte[] data, IReadOnlyList<byte[]> signatures, CancellationToken cancellationToken = default) =>
        SendAsync(sender, RegistryCalldata.Execute(data, signatures), cancellationToken);

    /// <summary>
    /// Builds the proposal for <paramref name="data"/> at the contract's current nonce, signs it with every key in
    /// <paramref name="signers"/> (EIP-191), orders the signatures by signer and sends <c>execute</c>.
    /// </summary>
    public async Task<Hash32> ExecuteSignedAsync(TransactionSender sender, byte[] data, IEnumerable<PrivateKey> signers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var nonce = await NonceAsync("latest", cancellationToken).ConfigureAwait(false);
        var digest = ComputeProposalDigest(sender.ChainId, Address, nonce, data);
        var signatures = OrderSignatures(signers.Select(k => (k.Address, SignProposal(k, digest))));
        return await ExecuteAsync(sender, data, signatures, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>keccak256(abi.encode(chainId, registry, nonce, keccak256(data))) — what <c>proposalDigest(data)</c> returns.</summary>
    public static Hash32 ComputeProposalDigest(ulong chainId, Address registry, ulong nonce, byte[] data) =>
        Keccak256.Hash(new ABIEncode().GetABIEncoded(
            new ABIValue("uint256", new BigInteger(chainId)), new ABIValue("address", registry.ToString()),
            new ABIValue("uint256", new BigInteger(nonce)), new ABIValue("bytes32", Keccak256.Hash(data).ToArray())));

    /// <summary>The EIP-191 hash of a 32-byte digest: keccak256("\x19Ethereum Signed Message:\n32" || digest).</summary>
    public static Hash32 EthereumSignedMessageHash(Hash32 digest) =>
        Keccak256.Hash([.. Encoding.ASCII.GetBytes("\u0019Ethereum Signed Message:\n32"), .. digest.ToArray()]);

    /// <summary>Signs a proposal digest the EIP-191 way: 65 bytes r || s || v with v 27/28 (as <c>cast wallet sign</c>).</summary>
    public static byte[] SignProposal(PrivateKey key, Hash32 digest)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signature = key.Sign(EthereumSignedMessageHash(digest));
        var bytes = new byte[65];
        signature.WriteR(bytes.AsSpan(0, 32));
        signature.WriteS(bytes.AsSpan(32, 32));
        bytes[64] = (byte)signature.ToLegacyV();
        return bytes;
    }

    /// <summary>The signatures ordered by signer address, strictly ascending, as <c>execute</c> requires.</summary>
    /// <exception cref="ArgumentException">The same signer twice.</exception>
    public static IReadOnlyList<byte[]> OrderSignatures(IEnumerable<(Address Signer, byte[] Signature)> signatures)
    {
        var ordered = signatures.OrderBy(s => s.Signer).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].Signer == ordered[i - 1].Signer)
                throw new ArgumentException($"signatures: {ordered[i].Signer} signs twice", nameof(signatures));
        }
        return [.. ordered.Select(s => s.Signature)];
    }

    private Task<Hash32> SendAsync(TransactionSender sender, byte[] data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sender);
        return sender.SendAsync(Address, data, BigInteger.Zero, cancellationToken);
    }

    private async Task<ulong> UIntAsync<TFunction>(TFunction function, string blockTag, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new()
    {
        var v = await QueryAsync<TFunction, BigInteger>(function, blockTag, cancellationToken).ConfigureAwait(false);
        return v.Sign < 0 || v > ulong.MaxValue ? throw new EthereumRpcException($"{typeof(TFunction).Name}: {v} does not fit in 64 bits") : (ulong)v;
    }

    private Task<TOutput> QueryAsync<TFunction, TOutput>(TFunction function, string blockTag, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new() =>
        _rpc.Web3.Eth.GetContractQueryHandler<TFunction>().QueryAsync<TOutput>(Address.ToString(), function, EthereumRpcClient.Block(blockTag)).WaitAsync(cancellationToken);

    private Task<TOutput> QueryObjectAsync<TFunction, TOutput>(TFunction function, string blockTag, CancellationToken cancellationToken)
        where TFunction : FunctionMessage, new()
        where TOutput : IFunctionOutputDTO, new() =>
        _rpc.Web3.Eth.GetContractQueryHandler<TFunction>().QueryDeserializingToObjectAsync<TOutput>(function, Address.ToString(), EthereumRpcClient.Block(blockTag)).WaitAsync(cancellationToken);
}
