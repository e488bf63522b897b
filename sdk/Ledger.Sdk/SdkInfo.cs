namespace Ledger.Sdk;

/// <summary>Placeholder until the client lands (SDK issue); keeps the project buildable.</summary>
internal static class SdkInfo
{
    internal const string Name = "ledger-sdk";
}
