using Ledger.Evm.Contracts;
using Ledger.Evm.Contracts.Definitions;
using Nethereum.ABI.ABIDeserialisation;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.ABI.Model;
using Ledger.Evm.Tests.Chain;
using Nethereum.Contracts;
using Xunit;

namespace Ledger.Evm.Tests.Contracts;

/// <summary>
/// The Nethereum typed definitions the bindings use (Ledger.Evm.Contracts.Definitions) are the committed ABIs: every
/// function of each artifact has exactly one definition with the same name, input types and output types, every event
/// its indexing, and no definition names something the contract does not have.
/// </summary>
public sealed class DefinitionsConformanceTests
{
    private static readonly Type[] Definitions = [.. typeof(AnchorFunction).Assembly.GetTypes().Where(t => t.Namespace == typeof(AnchorFunction).Namespace)];

    private static string Types(IEnumerable<Parameter>? parameters) =>
        string.Join(",", (parameters ?? []).OrderBy(p => p.Order).Select(p => p.Type + (p.Indexed ? " indexed" : "")));

    private static ContractABI Committed(string contract) =>
        new ABIJsonDeserialiser().DeserialiseContract(contract == "Anchor" ? ContractArtifacts.Anchor.Abi : ContractArtifacts.Registry.Abi);

    private static readonly string[] AnchorFunctions = ["anchor", "latest", "rootAt", "anchorCount", "anchorAt"];

    private static bool Belongs(string name, string contract) => AnchorFunctions.Contains(name) == (contract == "Anchor");

    [Theory]
    [InlineData("Anchor")]
    [InlineData("Registry")]
    public void FunctionDefinitions_EqualTheCommittedAbi(string contract)
    {
        var expected = Committed(contract).Functions.Select(f => $"{f.Name}({Types(f.InputParameters)}) -> ({Types(f.OutputParameters)})").Order(StringComparer.Ordinal);
        var actual = Definitions.Where(t => FunctionAttribute.GetAttribute(t) is not null)
            .Select(ABITypedRegistry.GetFunctionABI)
            .Where(f => Belongs(f.Name, contract))
            .Select(f => $"{f.Name}({Types(f.InputParameters)}) -> ({Types(f.OutputParameters)})").Order(StringComparer.Ordinal);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void AnchoredEventDefinition_EqualsTheCommittedAbi()
    {
        var committed = Assert.Single(Committed("Anchor").Events);
        var ours = ABITypedRegistry.GetEvent<AnchoredEventDto>();
        Assert.Equal(committed.Name, ours.Name);
        Assert.Equal(Types(committed.InputParameters), Types(ours.InputParameters));
        Assert.Equal(committed.Sha3Signature, ours.Sha3Signature);
    }

    [Fact]
    public async Task RegistryDeployment_InitCode_IsTheCommittedBytecodeAndCastsConstructorEncoding()
    {
        var name = "Consortium Ü 1";
        var args = await Cast.OutputAsync("abi-encode", "constructor(string)", name);
        var expected = Ledger.Protocol.Hex.Encode0x(ContractArtifacts.Registry.Bytecode) + args[2..];
        Assert.Equal(expected, Ledger.Protocol.Hex.Encode0x(new RegistryDeployment { ConsortiumName = name }.GetDeploymentData()));
        Assert.Equal(ContractArtifacts.Anchor.Bytecode, new AnchorDeployment().GetDeploymentData());
    }
}
