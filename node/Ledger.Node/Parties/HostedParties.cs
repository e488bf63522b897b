using System.Buffers.Text;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;

namespace Ledger.Node.Parties;

/// <summary>
/// A party hosted by this node: its consortium entry and its signing key. Its <see cref="ToString"/> names the party only;
/// neither the key nor the API token is ever printed.
/// </summary>
public sealed class HostedParty
{
    internal HostedParty(Party party, PrivateKey key, byte[] tokenHash)
    {
        Party = party;
        Key = key;
        TokenHash = tokenHash;
    }

    /// <summary>The party's name (also the name of its key and token files).</summary>
    public string Name => Party.Name;

    /// <summary>The party id.</summary>
    public Address Address => Party.Address;

    /// <summary>The party's signing key.</summary>
    public PrivateKey Key { get; }

    /// <summary>The party's consortium entry.</summary>
    public Party Party { get; }

    /// <summary>SHA-256 of the party's API token (the token itself is not kept).</summary>
    internal byte[] TokenHash { get; }

    /// <inheritdoc/>
    public override string ToString() => $"HostedParty({Name}, {Address})";
}

/// <summary>The files <see cref="HostedParties.Create(string, string)"/> wrote for a new hosted party.</summary>
/// <param name="Name">The party's name.</param>
/// <param name="Address">The address of its new key.</param>
/// <param name="KeyPath">The absolute path of <c>parties/&lt;name&gt;.key</c>.</param>
/// <param name="TokenPath">The absolute path of <c>tokens/&lt;name&gt;.token</c>.</param>
public sealed record HostedPartyFiles(string Name, Address Address, string KeyPath, string TokenPath);

/// <summary>
/// The parties this node hosts (docs/spec/consortium.md, "On-disk layout"): for each, <c>&lt;data&gt;/parties/&lt;name&gt;.key</c>
/// (a key file, mode 0600) and <c>&lt;data&gt;/tokens/&lt;name&gt;.token</c> (its API bearer token, mode 0600). Only the SHA-256 of
/// each token is kept in memory; <see cref="TryAuthenticate"/> compares hashes in constant time. Immutable and thread-safe.
/// </summary>
public sealed class HostedParties
{
    /// <summary>The folder of party key files inside the data directory.</summary>
    public const string PartiesFolder = "parties";

    /// <summary>The folder of API token files inside the data directory.</summary>
    public const string TokensFolder = "tokens";

    /// <summary>Every token starts with this.</summary>
    public const string TokenPrefix = "ledger_";

    private const int TokenBytes = 32;
    private const int TokenLength = 7 + 43; // prefix + base64url of 32 bytes without padding

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly HostedParty[] _parties;
    private readonly FrozenDictionary<Address, HostedParty> _byAddress;

    private HostedParties(HostedParty[] parties)
    {
        _parties = parties;
        _byAddress = parties.ToFrozenDictionary(p => p.Address);
    }

    /// <summary>The hosted parties, in name order.</summary>
    public IReadOnlyList<HostedParty> All => _parties;

    /// <summary>The path of a party's key file.</summary>
    public static string KeyPath(string dataDirectory, string name) => Path.Combine(Path.GetFullPath(dataDirectory), PartiesFolder, name + ".key");

    /// <summary>The path of a party's token file.</summary>
    public static string TokenPath(string dataDirectory, string name) => Path.Combine(Path.GetFullPath(dataDirectory), TokensFolder, name + ".token");

    /// <summary>The hosted party with this address, or null.</summary>
    public HostedParty? Find(Address address) => _byAddress.GetValueOrDefault(address);

    /// <summary>
    /// The hosted party whose API token is <paramref name="bearerToken"/>. Compares SHA-256 hashes with
    /// <see cref="CryptographicOperations.FixedTimeEquals"/> against every party, so the time taken does not depend on which
    /// party (if any) matched or on how much of the token was right.
    /// </summary>
    public bool TryAuthenticate(string? bearerToken, out HostedParty party)
    {
        party = null!;
        if (string.IsNullOrEmpty(bearerToken) || bearerToken.Length > 256)
            return false;
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(bearerToken));
        HostedParty? found = null;
        foreach (var candidate in _parties)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, candidate.TokenHash))
                found = candidate;
        }
        if (found is null)
            return false;
        party = found;
        return true;
    }

    /// <summary>
    /// Throws when <paramref name="name"/> is not a valid party name or its key or token file already exists; writes nothing.
    /// </summary>
    /// <exception cref="NodeConfigurationException">Field <c>parties/&lt;name&gt;.key</c> or <c>tokens/&lt;name&gt;.token</c>, rule <c>exists</c>; field <c>name</c>, rule <c>name</c>.</exception>
    public static void EnsureCanCreate(string dataDirectory, string name)
    {
        if (!ConsortiumFile.IsValidName(name))
            throw new NodeConfigurationException("name", "name",
                $"\"{name}\" must be 1 to 63 characters: lowercase letters, digits, '-' and '_', starting with a letter or digit");
        var keyPath = KeyPath(dataDirectory, name);
        if (File.Exists(keyPath))
            throw new NodeConfigurationException($"{PartiesFolder}/{name}.key", "exists", $"{keyPath} already exists (the party is already hosted here)");
        var tokenPath = TokenPath(dataDirectory, name);
        if (File.Exists(tokenPath))
            throw new NodeConfigurationException($"{TokensFolder}/{name}.token", "exists", $"{tokenPath} already exists (the party is already hosted here)");
    }

    /// <summary>Creates a new key and API token for the party <paramref name="name"/> in <paramref name="dataDirectory"/>.</summary>
    /// <exception cref="NodeConfigurationException">See <see cref="Create(string, string, PrivateKey)"/>.</exception>
    public static HostedPartyFiles Create(string dataDirectory, string name) => Create(dataDirectory, name, PrivateKey.Generate());

    /// <summary>
    /// Writes <paramref name="key"/> to <c>parties/&lt;name&gt;.key</c> and a new random API token to <c>tokens/&lt;name&gt;.token</c>
    /// (both mode 0600, folders 0700). Refuses when either file exists; when the token cannot be written the key file is removed.
    /// </summary>
    /// <exception cref="NodeConfigurationException">Rules <c>name</c>, <c>exists</c>, <c>io</c>.</exception>
    public static HostedPartyFiles Create(string dataDirectory, string name, PrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        EnsureCanCreate(dataDirectory, name);
        var keyPath = KeyPath(dataDirectory, name);
        var tokenPath = TokenPath(dataDirectory, name);
        CreateFolder(Path.GetDirectoryName(keyPath)!);
        CreateFolder(Path.GetDirectoryName(tokenPath)!);
        try
        {
            KeyFile.Save(keyPath, key);
        }
        catch (KeyFileException e)
        {
            throw new NodeConfigurationException($"{PartiesFolder}/{name}.key", e.Rule, e.Message, e);
        }
        try
        {
            WriteToken(tokenPath);
        }
        catch
        {
            File.Delete(keyPath);
            throw;
        }
        return new HostedPartyFiles(name, key.Address, keyPath, tokenPath);
    }

    private static void CreateFolder(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
                Directory.CreateDirectory(path);
            else
                Directory.CreateDirectory(path, OwnerDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeConfigurationException(Path.GetFileName(path), "io", $"cannot create {path}: {e.Message}", e);
        }
    }

    private static void WriteToken(string path)
    {
        var secret = RandomNumberGenerator.GetBytes(TokenBytes);
        var bytes = Encoding.ASCII.GetBytes(TokenPrefix + Base64Url.EncodeToString(secret) + "\n");
        CryptographicOperations.ZeroMemory(secret);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = OwnerOnly;
        try
        {
            using var stream = new FileStream(path, options);
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeConfigurationException($"{TokensFolder}/{Path.GetFileName(path)}", File.Exists(path) ? "exists" : "io", $"cannot create {path}: {e.Message}", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>
    /// Loads every <c>parties/*.key</c> in <paramref name="dataDirectory"/> with its token. Each key must belong to the party of
    /// that name in <paramref name="directory"/>; with <paramref name="hostNode"/>, that party must also be hosted by that node.
    /// No <c>parties</c> folder means no hosted parties.
    /// </summary>
    /// <exception cref="NodeConfigurationException">
    /// Field <c>parties/&lt;name&gt;.key</c> or <c>tokens/&lt;name&gt;.token</c>; rules <c>unknown-party</c>, <c>mismatch</c>,
    /// <c>not-hosted</c>, <c>missing</c>, <c>mode</c>, <c>format</c>, <c>io</c>.
    /// </exception>
    public static HostedParties Load(string dataDirectory, ConsortiumDirectory directory, Address? hostNode = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var folder = Path.Combine(Path.GetFullPath(dataDirectory), PartiesFolder);
        if (!Directory.Exists(folder))
            return new HostedParties([]);
        var parties = new List<HostedParty>();
        var files = Directory.GetFiles(folder)
            .Where(f => f.EndsWith(".key", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var field = $"{PartiesFolder}/{name}.key";
            var party = directory.FindByName(name)
                ?? throw new NodeConfigurationException(field, "unknown-party", $"there is no party \"{name}\" in the consortium (version {directory.Definition.Version})");
            PrivateKey key;
            try
            {
                key = KeyFile.Load(file, ownerOnly: true);
            }
            catch (KeyFileException e)
            {
                throw new NodeConfigurationException(field, e.Rule, e.Message, e);
            }
            if (key.Address != party.Address)
                throw new NodeConfigurationException(field, "mismatch", $"holds the key of {key.Address}, but the consortium lists party \"{name}\" as {party.Address}");
            if (hostNode is { } node && party.Node != node)
                throw new NodeConfigurationException(field, "not-hosted", $"the consortium lists party \"{name}\" as hosted by node {party.Node}, not by this node ({node})");
            parties.Add(new HostedParty(party, key, ReadTokenHash(TokenPath(dataDirectory, name), name)));
        }
        return new HostedParties([.. parties]);
    }

    private static byte[] ReadTokenHash(string path, string name)
    {
        var field = $"{TokensFolder}/{name}.token";
        if (!File.Exists(path))
            throw new NodeConfigurationException(field, "missing", $"{path} does not exist (every hosted party needs its API token)");
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrOther) != 0)
            throw new NodeConfigurationException(field, "mode", $"group or others may access the token, expected mode 0600 (chmod 600 {path})");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NodeConfigurationException(field, "io", $"cannot read {path}: {e.Message}", e);
        }
        try
        {
            var token = Encoding.ASCII.GetString(bytes).Trim();
            if (!IsWellFormedToken(token))
                throw new NodeConfigurationException(field, "format", $"must hold \"{TokenPrefix}\" followed by 43 base64url characters");
            return SHA256.HashData(Encoding.ASCII.GetBytes(token));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>True when <paramref name="token"/> has the token form: <c>ledger_</c> and 43 base64url characters (32 bytes).</summary>
    public static bool IsWellFormedToken(string? token) =>
        token is { Length: TokenLength } && token.StartsWith(TokenPrefix, StringComparison.Ordinal)
        && !token.AsSpan(TokenPrefix.Length).ContainsAnyExcept(Base64UrlAlphabet)
        && Base64Url.IsValid(token.AsSpan(TokenPrefix.Length), out var decoded) && decoded == TokenBytes;

    private static readonly System.Buffers.SearchValues<char> Base64UrlAlphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
}
