using System.Reflection;
using System.Runtime.InteropServices;

namespace Ledger.Storage.RocksDb;

/// <summary>
/// P/Invoke declarations for the subset of RocksDB's C API (include/rocksdb/c.h) that the binding uses.
/// The library is the one bundled with the RocksDB NuGet package (RocksDB 11.12, statically linked), loaded by full path
/// from <c>runtimes/&lt;rid&gt;/native/</c> under the application's folder (or next to it, for a RID-specific publish). It is
/// never looked up by bare name: that would pick a system <c>librocksdb.so</c> (Debian's is 7.8), which cannot read the
/// files this version writes. <c>LEDGER_ROCKSDB_LIBRARY</c> names another file to load instead (benchmarks compare
/// libraries with it). Every function that takes <c>char** errptr</c> is called through <see cref="Check"/>.
/// </summary>
internal static unsafe partial class Native
{
    private const string Lib = "rocksdb";

    /// <summary>Environment variable naming a RocksDB C library to load instead of the bundled one (full path).</summary>
    internal const string LibraryVariable = "LEDGER_ROCKSDB_LIBRARY";

    /// <summary>The full path of the library loaded, once the first call has loaded it.</summary>
    internal static string? LoadedPath { get; private set; }

    static Native() => NativeLibrary.SetDllImportResolver(typeof(Native).Assembly, Resolve);

    /// <summary>The files tried in order: <see cref="LibraryVariable"/> alone if set, else the bundled library's places.</summary>
    internal static IReadOnlyList<string> Candidates()
    {
        if (Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } given)
            return [Path.GetFullPath(given)];
        var (rid, file) = Platform();
        var places = new List<string>();
        foreach (var root in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(Native).Assembly.Location) })
        {
            if (string.IsNullOrEmpty(root))
                continue;
            foreach (var path in new[] { Path.Combine(root, "runtimes", rid, "native", file), Path.Combine(root, file) })
            {
                if (!places.Contains(path, StringComparer.Ordinal))
                    places.Add(path);
            }
        }
        return places;
    }

    private static (string Rid, string File) Platform()
    {
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        if (OperatingSystem.IsWindows())
            return ("win-" + arch, "rocksdb.dll");
        if (OperatingSystem.IsMacOS())
            return ("osx-" + arch, "librocksdb.dylib");
        return ("linux-" + arch, "librocksdb.so");
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != Lib)
            return 0;
        var candidates = Candidates();
        foreach (var path in candidates)
        {
            if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle))
            {
                LoadedPath = path;
                return handle;
            }
        }
        throw new DllNotFoundException(
            $"RocksDB native library not found or not loadable (tried {string.Join(", ", candidates)}); it comes with the RocksDB NuGet package " +
            $"(a build of the project copies it to runtimes/<rid>/native/), or set {LibraryVariable} to a RocksDB C library's full path.");
    }

    /// <summary>Throws <see cref="RocksDbException"/> with RocksDB's message if <paramref name="err"/> is set, freeing the C string.</summary>
    internal static void Check(nint err)
    {
        if (err == 0)
            return;
        var message = Marshal.PtrToStringUTF8(err) ?? "(no message)";
        rocksdb_free(err);
        throw new RocksDbException(message);
    }

    /// <summary>Copies a malloc'd, NUL-terminated C string and frees it with rocksdb_free.</summary>
    internal static string? TakeString(nint p)
    {
        if (p == 0)
            return null;
        var s = Marshal.PtrToStringUTF8(p);
        rocksdb_free(p);
        return s;
    }

    [LibraryImport(Lib)] internal static partial void rocksdb_free(nint ptr);

    // Options
    [LibraryImport(Lib)] internal static partial nint rocksdb_options_create();
    [LibraryImport(Lib)] internal static partial void rocksdb_options_destroy(nint options);
    [LibraryImport(Lib)] internal static partial void rocksdb_options_set_create_if_missing(OptionsHandle options, byte value);
    [LibraryImport(Lib)] internal static partial void rocksdb_options_set_create_missing_column_families(OptionsHandle options, byte value);
    [LibraryImport(Lib)] internal static partial void rocksdb_options_set_paranoid_checks(OptionsHandle options, byte value);
    [LibraryImport(Lib)] internal static partial void rocksdb_options_set_max_open_files(OptionsHandle options, int value);
    [LibraryImport(Lib)] internal static partial void rocksdb_options_set_db_write_buffer_size(OptionsHandle options, nuint value);
    [LibraryImport(Lib)] internal static partial void rocksdb_options_set_max_write_buffer_number(OptionsHandle options, int value);
    [LibraryImport(Lib)] internal static partial void rocksdb_options_set_write_buffer_size(OptionsHandle options, nuint value);
    [LibraryImport(Lib)] internal static partial void rocksdb_options_set_compression(OptionsHandle options, int value);
    [LibraryImport(Lib)] internal static partial void rocksdb_options_increase_parallelism(OptionsHandle options, int totalThreads);
    [LibraryImport(Lib)] internal static partial void rocksdb_options_set_block_based_table_factory(OptionsHandle options, nint tableOptions);
    [LibraryImport(Lib)] internal static partial void rocksdb_options_set_max_total_wal_size(OptionsHandle options, ulong bytes);
    [LibraryImport(Lib)] internal static partial void rocksdb_options_set_wal_recovery_mode(OptionsHandle options, int mode);
    [LibraryImport(Lib)] internal static partial void rocksdb_options_set_avoid_flush_during_recovery(OptionsHandle options, byte value);

    // Environment (the process-wide default Env and its background thread pools)
    [LibraryImport(Lib)] internal static partial nint rocksdb_create_default_env();
    [LibraryImport(Lib)] internal static partial void rocksdb_env_destroy(nint env);
    [LibraryImport(Lib)] internal static partial void rocksdb_env_lower_thread_pool_cpu_priority(nint env);

    // Block-based table options (bloom filters, block cache)
    [LibraryImport(Lib)] internal static partial nint rocksdb_block_based_options_create();
    [LibraryImport(Lib)] internal static partial void rocksdb_block_based_options_destroy(nint options);
    [LibraryImport(Lib)] internal static partial void rocksdb_block_based_options_set_filter_policy(nint options, nint policy);
    [LibraryImport(Lib)] internal static partial void rocksdb_block_based_options_set_block_cache(nint options, nint cache);
    [LibraryImport(Lib)] internal static partial void rocksdb_block_based_options_set_index_type(nint options, int type);
    [LibraryImport(Lib)] internal static partial void rocksdb_block_based_options_set_partition_filters(nint options, byte value);
    [LibraryImport(Lib)] internal static partial void rocksdb_block_based_options_set_cache_index_and_filter_blocks(nint options, byte value);
    [LibraryImport(Lib)] internal static partial void rocksdb_block_based_options_set_cache_index_and_filter_blocks_with_high_priority(nint options, byte value);
    [LibraryImport(Lib)] internal static partial void rocksdb_block_based_options_set_pin_top_level_index_and_filter(nint options, byte value);
    [LibraryImport(Lib)] internal static partial void rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(nint options, byte value);
    [LibraryImport(Lib)] internal static partial nint rocksdb_filterpolicy_create_bloom_full(double bitsPerKey);
    [LibraryImport(Lib)] internal static partial nint rocksdb_cache_create_lru(nuint capacity);
    [LibraryImport(Lib)] internal static partial void rocksdb_cache_destroy(nint cache);

    // Write options
    [LibraryImport(Lib)] internal static partial nint rocksdb_writeoptions_create();
    [LibraryImport(Lib)] internal static partial void rocksdb_writeoptions_destroy(nint options);
    [LibraryImport(Lib)] internal static partial void rocksdb_writeoptions_set_sync(WriteOptionsHandle options, byte value);
    [LibraryImport(Lib)] internal static partial void rocksdb_writeoptions_disable_WAL(WriteOptionsHandle options, int disable);

    // Read options
    [LibraryImport(Lib)] internal static partial nint rocksdb_readoptions_create();
    [LibraryImport(Lib)] internal static partial void rocksdb_readoptions_destroy(nint options);
    [LibraryImport(Lib)] internal static partial void rocksdb_readoptions_set_snapshot(ReadOptionsHandle options, nint snapshot);
    [LibraryImport(Lib)] internal static partial void rocksdb_readoptions_set_iterate_upper_bound(ReadOptionsHandle options, byte* key, nuint keyLength);

    // Flush options
    [LibraryImport(Lib)] internal static partial nint rocksdb_flushoptions_create();
    [LibraryImport(Lib)] internal static partial void rocksdb_flushoptions_destroy(nint options);
    [LibraryImport(Lib)] internal static partial void rocksdb_flushoptions_set_wait(nint options, byte value);

    // Database
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint rocksdb_open_column_families(
        OptionsHandle options, string name, int numColumnFamilies, nint* columnFamilyNames,
        nint* columnFamilyOptions, nint* columnFamilyHandles, nint* errptr);
    [LibraryImport(Lib)] internal static partial void rocksdb_close(nint db);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint rocksdb_open_for_read_only_column_families(
        OptionsHandle options, string name, int numColumnFamilies, nint* columnFamilyNames,
        nint* columnFamilyOptions, nint* columnFamilyHandles, byte errorIfWalFileExists, nint* errptr);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint* rocksdb_list_column_families(OptionsHandle options, string name, nuint* count, nint* errptr);
    [LibraryImport(Lib)] internal static partial void rocksdb_list_column_families_destroy(nint* list, nuint count);
    [LibraryImport(Lib)] internal static partial void rocksdb_drop_column_family(DbHandle db, ColumnFamilyHandle cf, nint* errptr);
    [LibraryImport(Lib)] internal static partial void rocksdb_column_family_handle_destroy(nint handle);
    [LibraryImport(Lib)]
    internal static partial void rocksdb_put_cf(DbHandle db, WriteOptionsHandle options, ColumnFamilyHandle cf,
        byte* key, nuint keyLength, byte* value, nuint valueLength, nint* errptr);
    [LibraryImport(Lib)]
    internal static partial void rocksdb_delete_cf(DbHandle db, WriteOptionsHandle options, ColumnFamilyHandle cf,
        byte* key, nuint keyLength, nint* errptr);
    [LibraryImport(Lib)]
    internal static partial nint rocksdb_get_cf(DbHandle db, ReadOptionsHandle options, ColumnFamilyHandle cf,
        byte* key, nuint keyLength, nuint* valueLength, nint* errptr);
    [LibraryImport(Lib)] internal static partial void rocksdb_write(DbHandle db, WriteOptionsHandle options, WriteBatchHandle batch, nint* errptr);
    [LibraryImport(Lib)] internal static partial void rocksdb_flush(DbHandle db, nint flushOptions, nint* errptr);
    [LibraryImport(Lib)] internal static partial void rocksdb_verify_checksum(DbHandle db, nint* errptr);
    [LibraryImport(Lib)] internal static partial void rocksdb_flush_cf(DbHandle db, nint flushOptions, ColumnFamilyHandle cf, nint* errptr);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int rocksdb_property_int_cf(DbHandle db, ColumnFamilyHandle cf, string propname, ulong* value);
    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint rocksdb_property_value_cf(DbHandle db, ColumnFamilyHandle cf, string propname);

    // Snapshots
    [LibraryImport(Lib)] internal static partial nint rocksdb_create_snapshot(DbHandle db);
    [LibraryImport(Lib)] internal static partial void rocksdb_release_snapshot(nint db, nint snapshot);

    // Write batch
    [LibraryImport(Lib)] internal static partial nint rocksdb_writebatch_create();
    [LibraryImport(Lib)] internal static partial void rocksdb_writebatch_destroy(nint batch);
    [LibraryImport(Lib)] internal static partial void rocksdb_writebatch_clear(WriteBatchHandle batch);
    [LibraryImport(Lib)] internal static partial int rocksdb_writebatch_count(WriteBatchHandle batch);
    [LibraryImport(Lib)]
    internal static partial void rocksdb_writebatch_put_cf(WriteBatchHandle batch, ColumnFamilyHandle cf,
        byte* key, nuint keyLength, byte* value, nuint valueLength);
    [LibraryImport(Lib)]
    internal static partial void rocksdb_writebatch_delete_cf(WriteBatchHandle batch, ColumnFamilyHandle cf, byte* key, nuint keyLength);

    // Iterators
    [LibraryImport(Lib)] internal static partial nint rocksdb_create_iterator_cf(DbHandle db, ReadOptionsHandle options, ColumnFamilyHandle cf);
    [LibraryImport(Lib)] internal static partial void rocksdb_iter_destroy(nint iterator);
    [LibraryImport(Lib)] internal static partial byte rocksdb_iter_valid(IteratorHandle iterator);
    [LibraryImport(Lib)] internal static partial void rocksdb_iter_seek_to_first(IteratorHandle iterator);
    [LibraryImport(Lib)] internal static partial void rocksdb_iter_seek_to_last(IteratorHandle iterator);
    [LibraryImport(Lib)] internal static partial void rocksdb_iter_seek(IteratorHandle iterator, byte* key, nuint keyLength);
    [LibraryImport(Lib)] internal static partial void rocksdb_iter_seek_for_prev(IteratorHandle iterator, byte* key, nuint keyLength);
    [LibraryImport(Lib)] internal static partial void rocksdb_iter_next(IteratorHandle iterator);
    [LibraryImport(Lib)] internal static partial void rocksdb_iter_prev(IteratorHandle iterator);
    [LibraryImport(Lib)] internal static partial byte* rocksdb_iter_key(IteratorHandle iterator, nuint* keyLength);
    [LibraryImport(Lib)] internal static partial byte* rocksdb_iter_value(IteratorHandle iterator, nuint* valueLength);
    [LibraryImport(Lib)] internal static partial void rocksdb_iter_get_error(IteratorHandle iterator, nint* errptr);
}
