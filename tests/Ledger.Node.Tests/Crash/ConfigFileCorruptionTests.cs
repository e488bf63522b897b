using System.Globalization;
using Ledger.Engine.Consortium;
using Ledger.Protocol.Consortium;
using Ledger.Protocol.Crypto;
using Ledger.Protocol.Custody;
using Xunit;
using Xunit.Abstractions;

namespace Ledger.Node.Tests.Crash;

/// <summary>
/// Byte flips at random offsets of the node's key file and consortium file. The key file: each is refused with an error
/// naming the field, or reads back the same key (a changed key is never used). The consortium file: each is refused with
/// a named rule or parses into a valid consortium; a flip inside a name or a company prefix can give a different valid
/// consortium, which the file has no checksum to detect (docs/adr/0010-storage-faults.md). Set LEDGER_CORRUPTION_SEED to
/// replay a failure.
/// </summary>
public sealed class ConfigFileCorruptionTests(ITestOutputHelper output)
{
    private const int Trials = 200;

    private static PrivateKey Key(byte b) => PrivateKey.FromBytes(Enumerable.Repeat(b, 31).Prepend((byte)0x10).ToArray());

    private Random Seeded(string test)
    {
        var seed = Environment.GetEnvironmentVariable("LEDGER_CORRUPTION_SEED") is { Length: > 0 } s
            ? int.Parse(s, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"{test}: seed {seed}");
        return new Random(seed);
    }

    [Fact]
    public void KeyFileByteFlip_AtRandomOffsets_RefusedNamingTheField()
    {
        var random = Seeded(nameof(KeyFileByteFlip_AtRandomOffsets_RefusedNamingTheField));
        var key = Key(7);
        var original = KeyFile.Serialize(key);
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, "node.key");
        var refused = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            var bytes = (byte[])original.Clone();
            var offset = random.Next(bytes.Length);
            bytes[offset] ^= (byte)(1 << random.Next(8));
            File.WriteAllBytes(path, bytes);
            File.SetUnixFileMode(path, KeyFile.Mode);
            try
            {
                var loaded = KeyFile.Load(path);
                Assert.True(loaded.Address == key.Address && loaded.ToBytes().SequenceEqual(key.ToBytes()),
                    $"offset {offset}: a changed key file was read as a different key");
            }
            catch (KeyFileException e)
            {
                Assert.StartsWith("keyFile", e.Field, StringComparison.Ordinal);
                refused++;
            }
        }
        output.WriteLine($"{refused} of {Trials} flips refused; the others read back the same key");
    }

    [Fact]
    public void ConsortiumFileByteFlip_AtRandomOffsets_RefusedNamingTheRuleOrValid()
    {
        var random = Seeded(nameof(ConsortiumFileByteFlip_AtRandomOffsets_RefusedNamingTheRuleOrValid));
        var node = Key(1);
        var definition = new ConsortiumDefinition("test", 1, [new ConsortiumNode("node-1", node.Address, "")],
        [
            new Party("maker", Key(2).Address, PartyRoles.Manufacturer, ["0614141000005"], ["0614141"], [], node.Address),
            new Party("pharmacy", Key(4).Address, PartyRoles.Dispenser, ["0614141000029"], [], [], node.Address),
        ]);
        using var dir = new TestDirectory();
        var path = Path.Combine(dir.Path, LedgerService.ConsortiumFileName);
        ConsortiumStore.Save(path, definition);
        var original = File.ReadAllBytes(path);
        var expected = ConsortiumFile.Serialize(ConsortiumStore.Load(path));
        var refused = 0;
        var changed = new List<string>();
        for (var trial = 0; trial < Trials; trial++)
        {
            var bytes = (byte[])original.Clone();
            var offset = random.Next(bytes.Length);
            bytes[offset] ^= (byte)(1 << random.Next(8));
            File.WriteAllBytes(path, bytes);
            try
            {
                var loaded = ConsortiumStore.Load(path);
                if (ConsortiumFile.Serialize(loaded) != expected)
                    changed.Add(string.Create(CultureInfo.InvariantCulture, $"offset {offset} ('{(char)original[offset]}' → '{(char)bytes[offset]}')"));
            }
            catch (ConsortiumFormatException e)
            {
                Assert.False(string.IsNullOrEmpty(e.Field));
                Assert.False(string.IsNullOrEmpty(e.Rule));
                refused++;
            }
        }
        // Any other outcome (an exception of another type, e.g. a stack trace at start) fails the test in the loop.
        output.WriteLine($"{refused} of {Trials} flips refused; read back as a different valid consortium: {changed.Count}: {string.Join(", ", changed)}");
    }
}
