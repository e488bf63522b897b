using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using Ledger.Protocol.Crypto;

namespace Ledger.Node;

/// <summary>A key file that cannot be written or read; <see cref="Field"/> and <see cref="Rule"/> say what and why.</summary>
public sealed class KeyFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public KeyFileException(string field, string rule, string message, Exception? inner = null)
        : base(message, inner)
    {
        Field = field;
        Rule = rule;
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public KeyFileException() : this("keyFile", "format", "invalid key file") { }

    /// <summary>Creates the exception with a message.</summary>
    public KeyFileException(string message) : this("keyFile", "format", message) { }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public KeyFileException(string message, Exception innerException) : this("keyFile", "format", message, innerException) { }

    /// <summary>The part of the key file at fault: <c>keyFile</c>, or a member such as <c>keyFile.privateKey</c>.</summary>
    public string Field { get; }

    /// <summary>A stable rule id: exists, missing, io, mode, format, mismatch.</summary>
    public string Rule { get; }
}

/// <summary>
/// A party's or node's secp256k1 key on disk (docs/spec/crypto.md): JSON
/// <c>{"version":1,"kind":"secp256k1","privateKey":"0x…64 hex…","address":"0x…EIP-55…"}</c>, file mode 0600.
/// The one implementation used by <c>ledger keygen</c> and the node. Messages never contain the key.
/// </summary>
public static class KeyFile
{
    /// <summary>The key-file format version.</summary>
    public const int Version = 1;

    /// <summary>The only key kind.</summary>
    public const string Kind = "secp256k1";

    /// <summary>The mode a key file is created with: owner read and write.</summary>
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>The file's bytes for <paramref name="key"/> (indented JSON and a newline).</summary>
    public static byte[] Serialize(PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var buffer = new ArrayBufferWriter<byte>();
        var secret = key.ToBytes();
        try
        {
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteNumber("version", Version);
                json.WriteString("kind", Kind);
                json.WriteString("privateKey", Ledger.Protocol.Hex.Encode0x(secret));
                json.WriteString("address", key.Address.ToString());
                json.WriteEndObject();
            }
            buffer.Write("\n"u8);
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>
    /// Writes <paramref name="key"/> to <paramref name="path"/>: created with mode 0600 under a temporary name in the same
    /// directory, flushed to disk, then moved into place, so a crash leaves no half-written key and a replaced file does
    /// not keep an old, wider mode.
    /// </summary>
    /// <exception cref="KeyFileException">Rule <c>exists</c> (and <paramref name="overwrite"/> is false) or <c>io</c>.</exception>
    public static void Save(string path, PrivateKey key, bool overwrite = false)
    {
        var full = Path.GetFullPath(path);
        if (!overwrite && File.Exists(full))
            throw Exists(full, null);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
            throw new KeyFileException("keyFile", "io", $"directory {directory} does not exist");
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = Mode;
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
            throw Exists(full, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException("keyFile", "io", $"cannot write {full}: {e.Message}", e);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }

    private static KeyFileException Exists(string full, Exception? inner) =>
        new("keyFile", "exists", $"{full} already exists (refusing to overwrite a key; pass --force to replace it)", inner);

    /// <summary>
    /// Reads the key in <paramref name="path"/>. When group or others have any permission on the file: with
    /// <paramref name="ownerOnly"/> (a node's own key) it is refused; otherwise a warning line goes to <paramref name="warnings"/>.
    /// </summary>
    /// <exception cref="KeyFileException">Rules <c>missing</c>, <c>io</c>, <c>mode</c>, <c>format</c>, <c>mismatch</c>.</exception>
    public static PrivateKey Load(string path, TextWriter? warnings = null, bool ownerOnly = false)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new KeyFileException("keyFile", "missing", $"{full} does not exist");
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(full);
            if ((mode & GroupOrOther) != 0)
            {
                var octal = "0" + Convert.ToString((int)mode, 8);
                if (ownerOnly)
                    throw new KeyFileException("keyFile", "mode", $"mode {octal} lets group or others access the key, expected 0600 (chmod 600 {full})");
                warnings?.WriteLine($"warning: key file {full} is accessible by group or others (mode {octal}); run chmod 600 on it");
            }
        }
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException("keyFile", "io", $"cannot read {full}: {e.Message}", e);
        }
        return Parse(bytes, full);
    }

    /// <summary>Parses key-file bytes; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="KeyFileException">Rule <c>format</c> or <c>mismatch</c>.</exception>
    public static PrivateKey Parse(ReadOnlySpan<byte> bytes, string source = "key file")
    {
        JsonElement root;
        // A damaged byte can make a string invalid UTF-8, which the JSON reader only notices when the string is read.
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
            throw new KeyFileException("keyFile", "format", $"{source} is not valid UTF-8");
        try
        {
            using var document = JsonDocument.Parse(bytes.ToArray());
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new KeyFileException("keyFile", "format", $"{source} is not valid JSON: {e.Message}", e);
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw new KeyFileException("keyFile", "format", $"{source} must hold a JSON object");
        if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var v) || v != Version)
            throw new KeyFileException("keyFile.version", "format", $"must be {Version} in {source}");
        if (!root.TryGetProperty("kind", out var kind) || kind.ValueKind != JsonValueKind.String || kind.GetString() != Kind)
            throw new KeyFileException("keyFile.kind", "format", $"must be \"{Kind}\" in {source}");
        if (!root.TryGetProperty("privateKey", out var privateKey) || privateKey.ValueKind != JsonValueKind.String
            || privateKey.GetString() is not { Length: 66 } hex || !hex.StartsWith("0x", StringComparison.Ordinal))
            throw new KeyFileException("keyFile.privateKey", "format", $"must be \"0x\" followed by 64 hex digits in {source}");
        PrivateKey key;
        try
        {
            key = PrivateKey.Parse(hex);
        }
        catch (CryptoFormatException e)
        {
            // The exception names the rule, never the key.
            throw new KeyFileException("keyFile.privateKey", "format", $"{e.Rule} in {source}", e);
        }
        if (root.TryGetProperty("address", out var address))
        {
            if (address.ValueKind != JsonValueKind.String || !Address.TryParse(address.GetString(), out var listed))
                throw new KeyFileException("keyFile.address", "format", $"must be a 0x-prefixed EIP-55 address in {source}");
            if (listed != key.Address)
                throw new KeyFileException("keyFile.address", "mismatch", $"{listed} does not match the private key (which derives {key.Address}) in {source}");
        }
        return key;
    }
}
