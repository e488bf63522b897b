using System.Globalization;
using System.Text.Json;
using Ledger.Protocol.Crypto;

namespace Ledger.Node;

/// <summary>
/// Who this node is: its secp256k1 key (<c>&lt;data&gt;/node.key</c>) and its metadata (<c>&lt;data&gt;/node.json</c>:
/// format version, address, created time). Created on first run, loaded on every later run.
/// </summary>
public sealed class NodeIdentity
{
    /// <summary>The data directory format version written to <c>node.json</c>.</summary>
    public const int FormatVersion = 1;

    /// <summary>The key file name inside the data directory.</summary>
    public const string KeyFileName = "node.key";

    /// <summary>The metadata file name inside the data directory.</summary>
    public const string MetadataFileName = "node.json";

    private NodeIdentity(PrivateKey key, DateTimeOffset created, string dataDirectory, bool isNew)
    {
        Key = key;
        Created = created;
        DataDirectory = dataDirectory;
        IsNew = isNew;
    }

    /// <summary>The node's signing key. Its <see cref="object.ToString"/> never prints the secret.</summary>
    public PrivateKey Key { get; }

    /// <summary>The node's address (its id among the partners).</summary>
    public Address Address => Key.Address;

    /// <summary>When the identity was created (UTC, whole seconds).</summary>
    public DateTimeOffset Created { get; }

    /// <summary>The absolute data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>True when this run created the key.</summary>
    public bool IsNew { get; }

    /// <summary>
    /// Loads the identity from <paramref name="dataDirectory"/>, creating the directory (mode 0700), a new key
    /// (mode 0600) and <c>node.json</c> when neither file exists. A key without <c>node.json</c> gets its
    /// <c>node.json</c> rewritten; <c>node.json</c> without its key is refused (the identity would silently change).
    /// </summary>
    /// <exception cref="NodeConfigurationException">The files are damaged, disagree, or the key is too widely readable.</exception>
    public static NodeIdentity LoadOrCreate(string dataDirectory, TimeProvider time)
    {
        var dir = Path.GetFullPath(dataDirectory);
        try
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(dir);
            else
                Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new NodeConfigurationException(nameof(NodeOptions.DataDirectory), "writable", $"cannot create {dir}: {ex.Message}", ex);
        }

        var keyPath = Path.Combine(dir, KeyFileName);
        var metadataPath = Path.Combine(dir, MetadataFileName);
        var metadata = File.Exists(metadataPath) ? ReadMetadata(metadataPath) : null;

        if (!File.Exists(keyPath))
        {
            if (metadata is not null)
                throw new NodeConfigurationException(KeyFileName, "missing",
                    $"{metadataPath} names node {metadata.Value.Address} but {keyPath} is gone; restore the key or use a new data directory");
            var key = PrivateKey.Generate();
            var created = Now(time);
            SaveKey(keyPath, key);
            WriteMetadata(metadataPath, key.Address, created);
            return new NodeIdentity(key, created, dir, isNew: true);
        }

        var loaded = LoadKey(keyPath);
        if (metadata is null)
        {
            var created = Now(time);
            WriteMetadata(metadataPath, loaded.Address, created);
            return new NodeIdentity(loaded, created, dir, isNew: false);
        }
        if (metadata.Value.Address != loaded.Address)
            throw new NodeConfigurationException(MetadataFileName, "mismatch",
                $"names node {metadata.Value.Address} but {KeyFileName} holds the key of {loaded.Address}");
        return new NodeIdentity(loaded, metadata.Value.Created, dir, isNew: false);
    }

    private static void SaveKey(string path, PrivateKey key)
    {
        try
        {
            KeyFile.Save(path, key);
        }
        catch (KeyFileException e)
        {
            throw new NodeConfigurationException(KeyFileName, e.Rule, e.Message, e);
        }
    }

    private static PrivateKey LoadKey(string path)
    {
        try
        {
            return KeyFile.Load(path, ownerOnly: true);
        }
        catch (KeyFileException e)
        {
            throw new NodeConfigurationException(KeyFileName, e.Rule, e.Field == "keyFile" ? e.Message : $"{e.Field}: {e.Message}", e);
        }
    }

    private static DateTimeOffset Now(TimeProvider time)
    {
        var now = time.GetUtcNow();
        return new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    private static void WriteMetadata(string path, Address address, DateTimeOffset created)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteNumber("formatVersion", FormatVersion);
                json.WriteString("address", address.ToString());
                json.WriteString("created", created.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    private static (Address Address, DateTimeOffset Created)? ReadMetadata(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Bad("must be a JSON object");
            if (!root.TryGetProperty("formatVersion", out var version) || !version.TryGetInt32(out var v))
                throw Bad("\"formatVersion\" is missing");
            if (v != FormatVersion)
                throw new NodeConfigurationException(MetadataFileName, "version",
                    string.Create(CultureInfo.InvariantCulture, $"data directory format {v} is not supported by this node (it reads format {FormatVersion})"));
            if (!root.TryGetProperty("address", out var a) || a.ValueKind != JsonValueKind.String || !Address.TryParse(a.GetString(), out var address))
                throw Bad("\"address\" must be a 0x-prefixed address");
            if (!root.TryGetProperty("created", out var c) || c.ValueKind != JsonValueKind.String ||
                !DateTimeOffset.TryParse(c.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created))
                throw Bad("\"created\" must be an ISO 8601 UTC time");
            return (address, created.ToUniversalTime());
        }
        catch (JsonException ex)
        {
            throw new NodeConfigurationException(MetadataFileName, "format", $"{path} is not JSON ({ex.Message})", ex);
        }

        static NodeConfigurationException Bad(string detail) => new(MetadataFileName, "format", detail);
    }
}
