namespace Ledger.Evm;

/// <summary>Placeholder until the Ethereum client lands (EVM issue); keeps the project buildable.</summary>
internal static class EvmClientInfo
{
    internal const string Name = "ledger-evm";
}
