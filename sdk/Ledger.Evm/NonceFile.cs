using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Protocol;
using Ledger.Protocol.Crypto;

namespace Ledger.Evm;

/// <summary>A nonce file that cannot be read: <see cref="Field"/> and <see cref="Rule"/> say what and why.</summary>
public sealed class NonceFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NonceFileException(string field, string rule, Exception? inner = null)
        : base($"nonce file {field}: {rule}", inner)
    {
        Field = field;
        Rule = rule;
    }

    /// <summary>Creates the exception.</summary>
    public NonceFileException() : this("file", "malformed") { }

    /// <summary>Creates the exception with a message.</summary>
    public NonceFileException(string message) : this("file", message) { }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public NonceFileException(string message, Exception innerException) : this("file", message, innerException) { }

    /// <summary>The member at fault.</summary>
    public string Field { get; }

    /// <summary>The rule broken.</summary>
    public string Rule { get; }
}

/// <summary>
/// The sender's durable state (docs/spec/evm-client.md §2): format <c>ledger-evm-nonces/v1</c>, the account, chain id,
/// next nonce and every signed but unconfirmed transaction. Written atomically: temp file, fsync, rename.
/// </summary>
internal sealed record NonceState(ulong ChainId, Address Account, ulong NextNonce, IReadOnlyList<PendingTransaction> Pending)
{
    public const string Format = "ledger-evm-nonces/v1";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static NonceState? Load(string path)
    {
        if (!File.Exists(path))
            return null;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new NonceFileException("file", "is not JSON", e);
        }
        if (root is not JsonObject obj)
            throw new NonceFileException("file", "is not a JSON object");
        if ((string?)obj["format"] != Format)
            throw new NonceFileException("format", $"must be {Format}");
        try
        {
            var pending = new List<PendingTransaction>();
            foreach (var item in obj["pending"]?.AsArray() ?? [])
            {
                pending.Add(new PendingTransaction(
                    Hash32.Parse((string)item!["hash"]!),
                    (ulong)item["nonce"]!,
                    Hex.Decode((string)item["raw"]!)));
            }
            return new NonceState((ulong)obj["chainId"]!, Address.Parse((string)obj["address"]!), (ulong)obj["nextNonce"]!, pending);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or NullReferenceException or ArgumentException)
        {
            throw new NonceFileException("file", "a member is missing or malformed (chainId, address, nextNonce, pending[].hash/nonce/raw)", e);
        }
    }

    public void Save(string path)
    {
        var obj = new JsonObject
        {
            ["format"] = Format,
            ["chainId"] = ChainId,
            ["address"] = Account.ToString(),
            ["nextNonce"] = NextNonce,
            ["pending"] = new JsonArray([.. Pending.OrderBy(p => p.Nonce).Select(p => (JsonNode)new JsonObject
            {
                ["hash"] = Hex.Encode0x(p.Hash.ToArray()),
                ["nonce"] = p.Nonce,
                ["raw"] = Hex.Encode0x(p.Raw),
            })]),
        };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(obj, Indented);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, "." + Path.GetFileName(full) + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".tmp");
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
        {
            stream.Write(bytes);
            stream.Write("\n"u8);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, full, overwrite: true);
    }
}
