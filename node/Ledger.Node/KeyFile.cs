using System.Security.Cryptography;
using System.Text.Json;
using Ledger.Protocol.Crypto;

namespace Ledger.Node;

/// <summary>
/// A secp256k1 key on disk: <c>{"version":1,"kind":"secp256k1","privateKey":"0x…","address":"0x…"}</c>, mode 0600.
/// The address is redundant and checked on load, so a damaged or hand-edited file is caught.
/// </summary>
public static class KeyFile
{
    /// <summary>The file format version written and accepted.</summary>
    public const int Version = 1;

    /// <summary>The only key kind today.</summary>
    public const string Kind = "secp256k1";

    /// <summary>Owner read/write only.</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>
    /// Writes <paramref name="key"/> to a new file at <paramref name="path"/> with mode 0600 (created with that mode,
    /// never widened), through a temporary file and a rename so a crash leaves no half-written key.
    /// </summary>
    /// <exception cref="IOException">The file already exists (an existing key is never overwritten).</exception>
    public static void Write(string path, PrivateKey key)
    {
        var temp = $"{path}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = Mode;
        var secret = key.ToBytes();
        try
        {
            using (var stream = new FileStream(temp, options))
            {
                using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    json.WriteStartObject();
                    json.WriteNumber("version", Version);
                    json.WriteString("kind", Kind);
                    json.WriteString("privateKey", Ledger.Protocol.Hex.Encode0x(secret));
                    json.WriteString("address", key.Address.ToString());
                    json.WriteEndObject();
                }
                stream.WriteByte((byte)'\n');
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    /// <summary>Reads and checks a key file; <paramref name="field"/> names it in errors (e.g. <c>node.key</c>).</summary>
    /// <exception cref="NodeConfigurationException">
    /// Rule <c>mode</c> (readable or writable by group or others), <c>format</c> (not the JSON above, wrong version or kind,
    /// bad key) or <c>mismatch</c> (the address is not the key's).
    /// </exception>
    public static PrivateKey Read(string path, string field)
    {
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(path);
            if ((mode & GroupOrOther) != 0)
                throw new NodeConfigurationException(field, "mode",
                    $"mode {Octal(mode)} lets group or others access the key, expected 0600 (chmod 600 {path})");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            throw new NodeConfigurationException(field, "format", $"{path} is not JSON ({ex.Message})", ex);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new NodeConfigurationException(field, "format", "must be a JSON object");
            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != Version)
                throw new NodeConfigurationException(field, "format", $"\"version\" must be {Version}");
            if (!root.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.String || kind.GetString() != Kind)
                throw new NodeConfigurationException(field, "format", $"\"kind\" must be \"{Kind}\"");
            if (!root.TryGetProperty("privateKey", out var privateKey) || privateKey.ValueKind != JsonValueKind.String)
                throw new NodeConfigurationException(field, "format", "\"privateKey\" must be a string of 64 hex digits");
            if (!root.TryGetProperty("address", out var address) || address.ValueKind != JsonValueKind.String)
                throw new NodeConfigurationException(field, "format", "\"address\" must be a 0x-prefixed address");

            PrivateKey key;
            try
            {
                key = PrivateKey.Parse(privateKey.GetString()!);
            }
            catch (CryptoFormatException ex)
            {
                // The exception names the rule, never the key.
                throw new NodeConfigurationException(field, "format", $"\"privateKey\" {ex.Rule}", ex);
            }
            if (!Address.TryParse(address.GetString(), out var stated))
                throw new NodeConfigurationException(field, "format", "\"address\" is not a valid address");
            if (stated != key.Address)
                throw new NodeConfigurationException(field, "mismatch", $"\"address\" {stated} is not the address of the key ({key.Address})");
            return key;
        }
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8);
}
