using FsCheck;
using FsCheck.Fluent;
using Ledger.Storage.RocksDb;
using Xunit;
using Db = Ledger.Storage.RocksDb.RocksDb;

namespace Ledger.Storage.Tests;

/// <summary>Random sequences of puts, deletes and batches against a sorted-dictionary model, compared by full iteration.</summary>
public class ModelPropertyTests
{
    private static readonly string[] Families = ["a", "b"];

    /// <summary>One update: family index, key, value (null = delete).</summary>
    public sealed record Update(int Family, byte[] Key, byte[]? Value);

    /// <summary>A single update (written alone) or several (written as one batch), with or without sync.</summary>
    public sealed record Step(Update[] Updates, bool AsBatch, bool Sync);

    private static readonly Gen<byte[]> Keys =
        // A small key space so that overwrites and deletes of existing keys are common; keys include 0x00 and 0xff bytes.
        Gen.Choose(0, 3).SelectMany(len => Gen.ArrayOf(Gen.Elements<byte>(0x00, 0x01, 0x7f, 0xff), len));

    private static readonly Gen<Update> Updates =
        from family in Gen.Choose(0, 1)
        from key in Keys
        from delete in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
        from value in Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n))
        select new Update(family, key, delete ? null : value);

    private static readonly Gen<Step> Steps =
        from asBatch in Gen.Elements(true, false)
        from count in asBatch ? Gen.Choose(0, 8) : Gen.Constant(1)
        from updates in Gen.ArrayOf(Updates, count)
        from sync in Gen.Elements(true, false)
        select new Step(updates, asBatch, sync);

    [Fact]
    public void RandomUpdates_FullIterationEqualsModel_AlsoAfterReopen()
    {
        var arb = Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(Steps, n)).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), Prop.ForAll(arb, steps =>
        {
            using var dir = new TempDirectory();
            var model = new[] { new SortedDictionary<byte[], byte[]>(ByteOrder.Instance), new SortedDictionary<byte[], byte[]>(ByteOrder.Instance) };
            using (var db = Db.Open(dir.Path, new RocksDbOptions(), Families))
            {
                var cfs = Families.Select(db.GetColumnFamily).ToArray();
                foreach (var step in steps)
                {
                    if (step.AsBatch)
                    {
                        using var batch = new WriteBatch();
                        foreach (var u in step.Updates)
                        {
                            if (u.Value is null)
                                batch.Delete(cfs[u.Family], u.Key);
                            else
                                batch.Put(cfs[u.Family], u.Key, u.Value);
                        }
                        Assert.Equal(step.Updates.Length, batch.Count);
                        db.Write(batch, step.Sync);
                    }
                    else
                    {
                        var u = step.Updates[0];
                        if (u.Value is null)
                            db.Delete(cfs[u.Family], u.Key, step.Sync);
                        else
                            db.Put(cfs[u.Family], u.Key, u.Value, step.Sync);
                    }
                    foreach (var u in step.Updates)
                    {
                        if (u.Value is null)
                            model[u.Family].Remove(u.Key);
                        else
                            model[u.Family][u.Key] = u.Value;
                    }
                }
                AssertEqualsModel(db, cfs, model);
            }
            using (var db = Db.Open(dir.Path, new RocksDbOptions(), Families))
                AssertEqualsModel(db, Families.Select(db.GetColumnFamily).ToArray(), model);
        }));
    }

    private static void AssertEqualsModel(Db db, ColumnFamilyHandle[] cfs, SortedDictionary<byte[], byte[]>[] model)
    {
        for (var f = 0; f < cfs.Length; f++)
        {
            var actual = new List<KeyValuePair<byte[], byte[]>>();
            using (var it = db.NewIterator(cfs[f]))
            {
                for (it.SeekToFirst(); it.Valid(); it.Next())
                    actual.Add(new(it.Key().ToArray(), it.Value().ToArray()));
            }
            Assert.Equal(model[f].Select(p => Convert.ToHexString(p.Key) + "=" + Convert.ToHexString(p.Value)),
                actual.Select(p => Convert.ToHexString(p.Key) + "=" + Convert.ToHexString(p.Value)));

            var reversed = new List<string>();
            using (var it = db.NewIterator(cfs[f]))
            {
                for (it.SeekToLast(); it.Valid(); it.Prev())
                    reversed.Add(Convert.ToHexString(it.Key()));
            }
            Assert.Equal(model[f].Keys.Reverse().Select(Convert.ToHexString), reversed);

            foreach (var (k, v) in model[f])
                Assert.Equal(v, db.Get(cfs[f], k));
        }
    }

    /// <summary>Unsigned bytewise order, RocksDB's default comparator.</summary>
    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
