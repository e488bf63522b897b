using System.Text.Json;
using Ledger.Protocol.Crypto;

namespace Ledger.Cli.Commands;

/// <summary>A key file that cannot be written or read; <see cref="Field"/> and <see cref="Rule"/> say what is wrong.</summary>
public sealed class KeyFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KeyFileException(string field, string rule, Exception? inner = null)
        : base($"{field}: {rule}", inner)
    {
        Field = field;
        Rule = rule;
    }

    /// <summary>Creates the exception with no field context.</summary>
    public KeyFileException() : this("keyFile", "invalid") { }

    /// <summary>Creates the exception with a message.</summary>
    public KeyFileException(string message) : this("keyFile", message) { }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public KeyFileException(string message, Exception innerException) : this("keyFile", message, innerException) { }

    /// <summary>The field or option at fault (e.g. "--out", "keyFile.privateKey").</summary>
    public string Field { get; }

    /// <summary>The rule that was broken.</summary>
    public string Rule { get; }
}

/// <summary>
/// A party's key file (docs/spec/crypto.md §Key file): UTF-8 JSON
/// <c>{"version":1,"kind":"secp256k1","privateKey":"0x…64 hex","address":"0x…EIP-55"}</c>, created with mode 0600.
/// Used by the CLI and the node.
/// </summary>
public static class KeyFile
{
    /// <summary>The only format version.</summary>
    public const int Version = 1;

    /// <summary>The only key kind.</summary>
    public const string Kind = "secp256k1";

    /// <summary>The bytes of a key file for <paramref name="key"/>.</summary>
    public static byte[] Serialize(PrivateKey key)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", Version);
            json.WriteString("kind", Kind);
            json.WriteString("privateKey", Ledger.Protocol.Hex.Encode0x(key.ToBytes()));
            json.WriteString("address", key.Address.ToString());
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>
    /// Writes <paramref name="key"/> to <paramref name="path"/>. The file is created with mode 0600 (owner read/write)
    /// under a temporary name in the same directory and then moved into place, so a reader never sees a partial file
    /// and an overwritten file does not keep its old, possibly wider, mode.
    /// </summary>
    /// <exception cref="KeyFileException">The file exists and <paramref name="overwrite"/> is false, or it cannot be written.</exception>
    public static void Save(string path, PrivateKey key, bool overwrite)
    {
        var full = Path.GetFullPath(path);
        if (!overwrite && File.Exists(full))
            throw new KeyFileException("keyFile", $"{full} already exists (refusing to overwrite a key; pass --force to replace it)");
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new KeyFileException("keyFile", $"directory {directory} does not exist");
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Serialize(key));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite);
        }
        catch (IOException e) when (!overwrite && File.Exists(full))
        {
            throw new KeyFileException("keyFile", $"{full} already exists (refusing to overwrite a key; pass --force to replace it)", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException("keyFile", $"cannot write {full}: {e.Message}", e);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    /// <summary>
    /// Reads the key in <paramref name="path"/>. If group or others have any permission on the file, a warning line
    /// is written to <paramref name="warnings"/> (the key is still returned).
    /// </summary>
    /// <exception cref="KeyFileException">Missing or unreadable file, bad JSON, wrong version or kind, an invalid key, or an address that does not match the key.</exception>
    public static PrivateKey Load(string path, TextWriter? warnings = null)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new KeyFileException("keyFile", $"{full} does not exist");
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(full);
            const UnixFileMode groupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((mode & groupOrOther) != 0)
                warnings?.WriteLine($"warning: key file {full} is accessible by group or others (mode {Convert.ToString((int)mode, 8)}); run chmod 600 on it");
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException("keyFile", $"cannot read {full}: {e.Message}", e);
        }
        return Parse(bytes, full);
    }

    /// <summary>Parses key-file bytes; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="KeyFileException">See <see cref="Load"/>.</exception>
    public static PrivateKey Parse(ReadOnlySpan<byte> bytes, string source = "key file")
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray());
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new KeyFileException("keyFile", $"{source} is not valid JSON: {e.Message}", e);
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw new KeyFileException("keyFile", $"{source} must hold a JSON object");
        if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != Version)
            throw new KeyFileException("keyFile.version", $"must be {Version} in {source}");
        if (!root.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.String || kind.GetString() != Kind)
            throw new KeyFileException("keyFile.kind", $"must be \"{Kind}\" in {source}");
        if (!root.TryGetProperty("privateKey", out var privateKey) || privateKey.ValueKind != JsonValueKind.String
            || privateKey.GetString() is not { Length: 66 } hex || !hex.StartsWith("0x", StringComparison.Ordinal))
            throw new KeyFileException("keyFile.privateKey", $"must be \"0x\" followed by 64 hex digits in {source}");
        PrivateKey key;
        try
        {
            key = PrivateKey.Parse(hex);
        }
        catch (CryptoFormatException e)
        {
            throw new KeyFileException("keyFile.privateKey", $"{e.Rule} in {source}", e);
        }
        if (root.TryGetProperty("address", out var address))
        {
            if (address.ValueKind != JsonValueKind.String || !Address.TryParse(address.GetString(), out var listed))
                throw new KeyFileException("keyFile.address", $"must be a 0x-prefixed EIP-55 address in {source}");
            if (listed != key.Address)
                throw new KeyFileException("keyFile.address", $"{listed} does not match the private key (which derives {key.Address}) in {source}");
        }
        return key;
    }
}
