using System.Numerics;
using System.Text;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Evm;

namespace Ledger.Evm.Contracts;

/// <summary>A node registered in the Registry.</summary>
public sealed record RegistryNode(Address Address, string Name, string Endpoint);

/// <summary>A party registered in the Registry (roles: Ledger.Protocol.Custody.PartyRoles bits).</summary>
public sealed record RegistryParty(Address Address, string Name, Address Node, byte Roles, IReadOnlyList<string> Glns, IReadOnlyList<string> CompanyPrefixes, IReadOnlyList<string> DelegatedGtins);

/// <summary>Everything the Registry holds, read at one block.</summary>
public sealed record RegistrySnapshot(string Name, ulong Version, ulong Threshold, bool Bootstrapping, IReadOnlyList<RegistryNode> Nodes, IReadOnlyList<RegistryParty> Parties);

/// <summary>The calldata of every Registry.sol function; a change's calldata is also the <c>data</c> of a proposal.</summary>
public static class RegistryCalldata
{
    internal const string SetPartySignature = "setParty(address,string,address,uint8,string[],string[],string[])";

    /// <summary><c>name()</c>.</summary>
    public static byte[] Name() => Abi.EncodeCall("name()");

    /// <summary><c>admin()</c>.</summary>
    public static byte[] Admin() => Abi.EncodeCall("admin()");

    /// <summary><c>bootstrapping()</c>.</summary>
    public static byte[] Bootstrapping() => Abi.EncodeCall("bootstrapping()");

    /// <summary><c>threshold()</c>.</summary>
    public static byte[] Threshold() => Abi.EncodeCall("threshold()");

    /// <summary><c>version()</c>.</summary>
    public static byte[] Version() => Abi.EncodeCall("version()");

    /// <summary><c>nonce()</c>.</summary>
    public static byte[] Nonce() => Abi.EncodeCall("nonce()");

    /// <summary><c>nodeCount()</c>.</summary>
    public static byte[] NodeCount() => Abi.EncodeCall("nodeCount()");

    /// <summary><c>nodeAt(uint256)</c>.</summary>
    public static byte[] NodeAt(ulong index) => Abi.EncodeCall("nodeAt(uint256)", index);

    /// <summary><c>partyCount()</c>.</summary>
    public static byte[] PartyCount() => Abi.EncodeCall("partyCount()");

    /// <summary><c>partyAt(uint256)</c>.</summary>
    public static byte[] PartyAt(ulong index) => Abi.EncodeCall("partyAt(uint256)", index);

    /// <summary><c>isNode(address)</c>.</summary>
    public static byte[] IsNode(Address address) => Abi.EncodeCall("isNode(address)", address);

    /// <summary><c>isParty(address)</c>.</summary>
    public static byte[] IsParty(Address address) => Abi.EncodeCall("isParty(address)", address);

    /// <summary><c>proposalDigest(bytes)</c>.</summary>
    public static byte[] ProposalDigest(byte[] data) => Abi.EncodeCall("proposalDigest(bytes)", data);

    /// <summary><c>setNode(address,string,string)</c>.</summary>
    public static byte[] SetNode(Address node, string name, string endpoint) => Abi.EncodeCall("setNode(address,string,string)", node, name, endpoint);

    /// <summary><c>removeNode(address)</c>.</summary>
    public static byte[] RemoveNode(Address node) => Abi.EncodeCall("removeNode(address)", node);

    /// <summary><c>setParty(address,string,address,uint8,string[],string[],string[])</c>.</summary>
    public static byte[] SetParty(RegistryParty party)
    {
        ArgumentNullException.ThrowIfNull(party);
        return Abi.EncodeCall(SetPartySignature, party.Address, party.Name, party.Node, (int)party.Roles,
            party.Glns.ToArray(), party.CompanyPrefixes.ToArray(), party.DelegatedGtins.ToArray());
    }

    /// <summary><c>removeParty(address)</c>.</summary>
    public static byte[] RemoveParty(Address party) => Abi.EncodeCall("removeParty(address)", party);

    /// <summary><c>setThreshold(uint256)</c>.</summary>
    public static byte[] SetThreshold(ulong m) => Abi.EncodeCall("setThreshold(uint256)", m);

    /// <summary><c>endBootstrap(uint256)</c>.</summary>
    public static byte[] EndBootstrap(ulong m) => Abi.EncodeCall("endBootstrap(uint256)", m);

    /// <summary><c>execute(bytes,bytes[])</c>.</summary>
    public static byte[] Execute(byte[] data, IReadOnlyList<byte[]> signatures)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        return Abi.EncodeCall("execute(bytes,bytes[])", data, signatures.ToArray());
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
    public async Task<string> NameAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        (string)(await CallAsync(RegistryCalldata.Name(), ["string"], blockTag, cancellationToken).ConfigureAwait(false))[0]!;

    /// <summary><c>admin()</c>.</summary>
    public async Task<Address> AdminAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        (Address)(await CallAsync(RegistryCalldata.Admin(), ["address"], blockTag, cancellationToken).ConfigureAwait(false))[0]!;

    /// <summary><c>bootstrapping()</c>.</summary>
    public async Task<bool> BootstrappingAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        (bool)(await CallAsync(RegistryCalldata.Bootstrapping(), ["bool"], blockTag, cancellationToken).ConfigureAwait(false))[0]!;

    /// <summary><c>threshold()</c>.</summary>
    public Task<ulong> ThresholdAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        UIntAsync(RegistryCalldata.Threshold(), "uint256", blockTag, cancellationToken);

    /// <summary><c>version()</c>.</summary>
    public Task<ulong> VersionAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        UIntAsync(RegistryCalldata.Version(), "uint64", blockTag, cancellationToken);

    /// <summary><c>nonce()</c>: the number of executed proposals.</summary>
    public Task<ulong> NonceAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        UIntAsync(RegistryCalldata.Nonce(), "uint256", blockTag, cancellationToken);

    /// <summary><c>nodeCount()</c>.</summary>
    public Task<ulong> NodeCountAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        UIntAsync(RegistryCalldata.NodeCount(), "uint256", blockTag, cancellationToken);

    /// <summary><c>partyCount()</c>.</summary>
    public Task<ulong> PartyCountAsync(string blockTag = "latest", CancellationToken cancellationToken = default) =>
        UIntAsync(RegistryCalldata.PartyCount(), "uint256", blockTag, cancellationToken);

    /// <summary><c>nodeAt(i)</c>.</summary>
    public async Task<RegistryNode> NodeAtAsync(ulong index, string blockTag = "latest", CancellationToken cancellationToken = default)
    {
        var v = await CallAsync(RegistryCalldata.NodeAt(index), ["address", "string", "string"], blockTag, cancellationToken).ConfigureAwait(false);
        return new RegistryNode((Address)v[0]!, (string)v[1]!, (string)v[2]!);
    }

    /// <summary><c>partyAt(i)</c>.</summary>
    public async Task<RegistryParty> PartyAtAsync(ulong index, string blockTag = "latest", CancellationToken cancellationToken = default)
    {
        var v = await CallAsync(RegistryCalldata.PartyAt(index), ["address", "string", "address", "uint8", "string[]", "string[]", "string[]"], blockTag, cancellationToken).ConfigureAwait(false);
        return new RegistryParty((Address)v[0]!, (string)v[1]!, (Address)v[2]!, (byte)(BigInteger)v[3]!, Strings(v[4]), Strings(v[5]), Strings(v[6]));
    }

    /// <summary><c>isNode(a)</c>.</summary>
    public async Task<bool> IsNodeAsync(Address address, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        (bool)(await CallAsync(RegistryCalldata.IsNode(address), ["bool"], blockTag, cancellationToken).ConfigureAwait(false))[0]!;

    /// <summary><c>isParty(a)</c>.</summary>
    public async Task<bool> IsPartyAsync(Address address, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        (bool)(await CallAsync(RegistryCalldata.IsParty(address), ["bool"], blockTag, cancellationToken).ConfigureAwait(false))[0]!;

    /// <summary><c>proposalDigest(data)</c> as the contract computes it (chain id, address, current nonce, keccak256(data)).</summary>
    public async Task<Hash32> ProposalDigestAsync(byte[] data, string blockTag = "latest", CancellationToken cancellationToken = default) =>
        new((byte[])(await CallAsync(RegistryCalldata.ProposalDigest(data), ["bytes32"], blockTag, cancellationToken).ConfigureAwait(false))[0]!);

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
        Keccak256.Hash(Abi.Encode(["uint256", "address", "uint256", "bytes32"], [chainId, registry, nonce, Keccak256.Hash(data).ToArray()]));

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

    private static IReadOnlyList<string> Strings(object? value) => [.. ((object?[])value!).Select(s => (string)s!)];

    private Task<Hash32> SendAsync(TransactionSender sender, byte[] data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sender);
        return sender.SendAsync(Address, data, BigInteger.Zero, cancellationToken);
    }

    private async Task<ulong> UIntAsync(byte[] data, string type, string blockTag, CancellationToken cancellationToken) =>
        (ulong)(BigInteger)(await CallAsync(data, [type], blockTag, cancellationToken).ConfigureAwait(false))[0]!;

    private async Task<object?[]> CallAsync(byte[] data, string[] returns, string blockTag, CancellationToken cancellationToken)
    {
        var result = await _rpc.CallAsync(Address, data, blockTag, cancellationToken).ConfigureAwait(false);
        return Abi.Decode(returns, result);
    }
}
