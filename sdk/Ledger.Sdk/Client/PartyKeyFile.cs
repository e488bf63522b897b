using System.Text.Json;
using Ledger.Protocol.Crypto;

namespace Ledger.Sdk.Client;

/// <summary>
/// Reads a party key file as written by <c>ledger keygen</c> or <c>ledger node add-party</c>:
/// <c>{"version":1,"kind":"secp256k1","privateKey":"0x…","address":"0x…"}</c>.
/// </summary>
public static class PartyKeyFile
{
    /// <summary>Loads the key and checks it matches the address in the file.</summary>
    /// <exception cref="FormatException">The file is not a key file, or the key does not match its address.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static PrivateKey Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var doc = ParseJson(File.ReadAllText(path), path);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("privateKey", out var secret) || secret.ValueKind != JsonValueKind.String)
            throw new FormatException($"{path}: privateKey: missing; not a Ledger key file [required]");
        var key = PrivateKey.Parse(secret.GetString()!);
        if (root.TryGetProperty("address", out var a) && a.ValueKind == JsonValueKind.String && Address.Parse(a.GetString()!) != key.Address)
            throw new FormatException($"{path}: address: {a.GetString()} is not the address of the key ({key.Address}) [address]");
        return key;
    }

    private static JsonDocument ParseJson(string text, string path)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{path}: $: not JSON: {e.Message} [syntax]", e);
        }
    }
}
