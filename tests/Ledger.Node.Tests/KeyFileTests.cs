using System.Text.Json;
using System.Text.Json.Nodes;
using Ledger.Protocol.Crypto;
using Xunit;

namespace Ledger.Node.Tests;

/// <summary>The key file format, in process.</summary>
public class KeyFileTests
{
    [Fact]
    public void SaveThenLoad_NewKey_RoundTripsWithMode0600()
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, "k.key");
        var key = PrivateKey.Generate();
        KeyFile.Save(path, key);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(key.ToBytes(), KeyFile.Load(path, ownerOnly: true).ToBytes());
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Save_FileExists_ThrowsAndKeepsTheOldKey()
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, "k.key");
        var first = PrivateKey.Generate();
        KeyFile.Save(path, first);
        Assert.Equal("exists", Assert.Throws<KeyFileException>(() => KeyFile.Save(path, PrivateKey.Generate())).Rule);
        Assert.Equal(first.Address, KeyFile.Load(path, ownerOnly: true).Address);
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Theory]
    [InlineData("address", "mismatch")]
    [InlineData("privateKey", "format")]
    [InlineData("version", "format")]
    [InlineData("kind", "format")]
    public void Load_EditedMember_ThrowsNamingTheRule(string member, string rule)
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, "k.key");
        KeyFile.Save(path, PrivateKey.Generate());
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        json[member] = member switch
        {
            "address" => PrivateKey.Generate().Address.ToString(),
            "privateKey" => "0x" + new string('0', 64),
            "version" => 2,
            _ => "ed25519",
        };
        File.WriteAllText(path, json.ToJsonString());

        var ex = Assert.Throws<KeyFileException>(() => KeyFile.Load(path, ownerOnly: true));
        Assert.Equal("keyFile." + member, ex.Field);
        Assert.Equal(rule, ex.Rule);
    }

    [Fact]
    public void Load_NotJson_ThrowsFormat()
    {
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, "k.key");
        File.WriteAllText(path, "not json");
        File.SetUnixFileMode(path, KeyFile.Mode);
        var ex = Assert.Throws<KeyFileException>(() => KeyFile.Load(path, ownerOnly: true));
        Assert.Equal("format", ex.Rule);
        Assert.IsType<JsonException>(ex.InnerException, exactMatch: false);
    }
}
