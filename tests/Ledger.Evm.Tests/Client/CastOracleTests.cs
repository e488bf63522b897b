using System.Globalization;
using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using Ledger.Evm.Contracts;
using Ledger.Evm.Tests.Chain;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Evm.Tests.Client;

/// <summary>
/// cast (foundry) as an independent oracle, offline: the raw transactions Nethereum builds and the project's key signs
/// (<see cref="EvmTransactionSigner"/>), the calldata of the typed Nethereum definitions, the proposal digest and the
/// EIP-191 proposal signatures the project computes itself.
/// </summary>
public sealed class CastOracleTests
{
    private static string Dec(BigInteger v) => v.ToString(CultureInfo.InvariantCulture);

    private sealed record TxCase(int Seed, bool Legacy, PrivateKey Key, ulong ChainId, ulong Nonce, ulong Gas, BigInteger Price, BigInteger Tip, BigInteger Value, Address? To, byte[] Data)
    {
        public override string ToString() => $"seed {Seed} legacy {Legacy} chain {ChainId} nonce {Nonce} gas {Gas} price {Price} tip {Tip} value {Value} to {To?.ToString() ?? "create"} data {Hex.Encode0x(Data)}";
    }

    private static TxCase Build(int seed, bool legacy)
    {
        var random = new Random(seed);
        BigInteger Big(int maxBytes)
        {
            var bytes = new byte[random.Next(0, maxBytes + 1)];
            random.NextBytes(bytes);
            return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        }
        PrivateKey key;
        while (true)
        {
            var k = new byte[32];
            random.NextBytes(k);
            try
            {
                key = PrivateKey.FromBytes(k);
                break;
            }
            catch (CryptoFormatException)
            {
            }
        }
        var price = Big(12);
        var tip = price.IsZero ? BigInteger.Zero : Big(12) % (price + 1);
        Address? to = null;
        if (random.Next(4) != 0)
        {
            var a = new byte[20];
            random.NextBytes(a);
            to = new Address(a);
        }
        var data = new byte[random.Next(to is null ? 1 : 0, 80)];
        random.NextBytes(data);
        return new TxCase(seed, legacy, key, (ulong)random.Next(1, int.MaxValue), (ulong)random.NextInt64(0, long.MaxValue), (ulong)random.Next(21_000, 30_000_000), price, tip, Big(14), to, data);
    }

    [Fact]
    public void Sign_RandomFieldsBothTypes_EqualsCastMktx()
    {
        var cases = Gen.Choose(0, int.MaxValue).SelectMany(seed => Gen.Elements(true, false).Select(legacy => Build(seed, legacy))).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), Prop.ForAll(cases, c =>
        {
            var ours = Hex.Encode0x((c.Legacy
                ? EvmTransactionSigner.SignLegacy(c.Key, c.ChainId, c.Nonce, c.Price, c.Gas, c.To, c.Value, c.Data)
                : EvmTransactionSigner.SignEip1559(c.Key, c.ChainId, c.Nonce, c.Tip, c.Price, c.Gas, c.To, c.Value, c.Data)).Raw);
            var args = new List<string>
            {
                "mktx", "--private-key", Hex.Encode0x(c.Key.ToBytes()), "--chain", c.ChainId.ToString(CultureInfo.InvariantCulture),
                "--nonce", c.Nonce.ToString(CultureInfo.InvariantCulture), "--gas-limit", c.Gas.ToString(CultureInfo.InvariantCulture),
                "--gas-price", Dec(c.Price), "--value", Dec(c.Value),
            };
            if (c.Legacy)
                args.Add("--legacy");
            else
                args.AddRange(["--priority-gas-price", Dec(c.Tip)]);
            if (c.To is { } to)
                args.AddRange([to.ToLowerHex(), Hex.Encode0x(c.Data)]);
            else
                args.AddRange(["--create", Hex.Encode0x(c.Data)]);
            var cast = Cast.OutputAsync([.. args]).GetAwaiter().GetResult();
            Assert.True(cast == ours, $"{c}: cast {cast}, ours {ours}");
        }));
    }

    private static readonly Address A = Address.Parse("0x000000000000000000000000000000000000dEaD");
    private static readonly Address B = Address.Parse("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    private static readonly Hash32 Root = Keccak256.Hash("root"u8);

    public static TheoryData<string, string, string[]> Bindings()
    {
        var party = new RegistryParty(B, "Acme Pharma", A, 5, ["4012345000009", "4012345000016"], ["4012345"], []);
        var data = RegistryCalldata.SetNode(A, "node-a", "https://a.example:8443");
        var sig1 = new byte[65];
        sig1[0] = 1;
        sig1[64] = 27;
        var sig2 = new byte[65];
        sig2[1] = 2;
        sig2[64] = 28;
        var hex = (byte[] b) => Hex.Encode0x(b);
        return new TheoryData<string, string, string[]>
        {
            { "anchor", hex(AnchorCalldata.Anchor(7, Root)), ["anchor(uint64,bytes32)", "7", hex(Root.ToArray())] },
            { "latest", hex(AnchorCalldata.Latest(A)), ["latest(address)", A.ToString()] },
            { "rootAt", hex(AnchorCalldata.RootAt(A, 18446744073709551615)), ["rootAt(address,uint64)", A.ToString(), "18446744073709551615"] },
            { "anchorCount", hex(AnchorCalldata.AnchorCount(B)), ["anchorCount(address)", B.ToString()] },
            { "anchorAt", hex(AnchorCalldata.AnchorAt(B, 3)), ["anchorAt(address,uint256)", B.ToString(), "3"] },
            { "name", hex(RegistryCalldata.Name()), ["name()"] },
            { "admin", hex(RegistryCalldata.Admin()), ["admin()"] },
            { "bootstrapping", hex(RegistryCalldata.Bootstrapping()), ["bootstrapping()"] },
            { "threshold", hex(RegistryCalldata.Threshold()), ["threshold()"] },
            { "version", hex(RegistryCalldata.Version()), ["version()"] },
            { "nonce", hex(RegistryCalldata.Nonce()), ["nonce()"] },
            { "nodeCount", hex(RegistryCalldata.NodeCount()), ["nodeCount()"] },
            { "nodeAt", hex(RegistryCalldata.NodeAt(2)), ["nodeAt(uint256)", "2"] },
            { "partyCount", hex(RegistryCalldata.PartyCount()), ["partyCount()"] },
            { "partyAt", hex(RegistryCalldata.PartyAt(0)), ["partyAt(uint256)", "0"] },
            { "isNode", hex(RegistryCalldata.IsNode(A)), ["isNode(address)", A.ToString()] },
            { "isParty", hex(RegistryCalldata.IsParty(B)), ["isParty(address)", B.ToString()] },
            { "proposalDigest", hex(RegistryCalldata.ProposalDigest(data)), ["proposalDigest(bytes)", hex(data)] },
            { "setNode", hex(data), ["setNode(address,string,string)", A.ToString(), "node-a", "https://a.example:8443"] },
            { "removeNode", hex(RegistryCalldata.RemoveNode(A)), ["removeNode(address)", A.ToString()] },
            {
                "setParty", hex(RegistryCalldata.SetParty(party)),
                ["setParty(address,string,address,uint8,string[],string[],string[])", B.ToString(), "Acme Pharma", A.ToString(), "5", "[4012345000009,4012345000016]", "[4012345]", "[]"]
            },
            { "removeParty", hex(RegistryCalldata.RemoveParty(B)), ["removeParty(address)", B.ToString()] },
            { "setThreshold", hex(RegistryCalldata.SetThreshold(2)), ["setThreshold(uint256)", "2"] },
            { "endBootstrap", hex(RegistryCalldata.EndBootstrap(3)), ["endBootstrap(uint256)", "3"] },
            { "execute", hex(RegistryCalldata.Execute(data, [sig1, sig2])), ["execute(bytes,bytes[])", hex(data), $"[{hex(sig1)},{hex(sig2)}]"] },
        };
    }

    [Theory]
    [MemberData(nameof(Bindings))]
    public async Task Calldata_EveryBindingMethod_EqualsCastCalldata(string method, string ours, string[] castArgs)
    {
        var cast = await Cast.OutputAsync(["calldata", .. castArgs]);
        Assert.True(cast == ours, $"{method}: cast {cast}, ours {ours}");
    }

    [Fact]
    public async Task SignProposal_Digest_EqualsCastWalletSign()
    {
        var key = PrivateKey.Parse(AnvilProcess.DevKeys[2]);
        var digest = RegistryContract.ComputeProposalDigest(31337, A, 4, RegistryCalldata.SetThreshold(2));
        var cast = await Cast.OutputAsync("wallet", "sign", "--private-key", AnvilProcess.DevKeys[2], Hex.Encode0x(digest.ToArray()));
        Assert.Equal(cast, Hex.Encode0x(RegistryContract.SignProposal(key, digest)));
    }

    [Fact]
    public async Task ComputeProposalDigest_Fields_EqualsCastKeccakOfAbiEncode()
    {
        var data = RegistryCalldata.RemoveParty(B);
        var inner = await Cast.OutputAsync("keccak", Hex.Encode0x(data));
        var encoded = await Cast.OutputAsync("abi-encode", "f(uint256,address,uint256,bytes32)", "31337", A.ToString(), "9", inner);
        var expected = await Cast.OutputAsync("keccak", encoded);
        Assert.Equal(expected, Hex.Encode0x(RegistryContract.ComputeProposalDigest(31337, A, 9, data).ToArray()));
    }
}
