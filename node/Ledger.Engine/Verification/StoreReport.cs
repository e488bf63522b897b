namespace Ledger.Engine.Verification;

/// <summary>The first thing <see cref="StoreVerifier"/> found wrong.</summary>
/// <param name="Height">The block concerned (for a damaged frame: the height the block would have), or null when the problem is not tied to one block.</param>
/// <param name="Check">The check that failed, one of the <see cref="StoreChecks"/> constants.</param>
/// <param name="Reason">What was found, naming the file and offset or the column family and key.</param>
public sealed record StoreFailure(long? Height, string Check, string Reason);

/// <summary>The outcome of an offline check of a lane store (docs/spec/store-verify.md).</summary>
/// <param name="BlocksChecked">Committed blocks that passed every check.</param>
/// <param name="RecordsChecked">Records in those blocks.</param>
/// <param name="FirstFailure">The first failure, or null when every check held.</param>
/// <param name="Warnings">What was not checked or is worth knowing without being a failure (e.g. an uncommitted tail).</param>
public sealed record StoreReport(long BlocksChecked, long RecordsChecked, StoreFailure? FirstFailure, IReadOnlyList<string> Warnings)
{
    /// <summary>True when no check failed.</summary>
    public bool Ok => FirstFailure is null;
}

/// <summary>The stable names of the checks in a <see cref="StoreFailure"/>, in the order they are made for each block.</summary>
public static class StoreChecks
{
    /// <summary>The RocksDB index could not be opened (missing, locked by a running node, or unreadable).</summary>
    public const string IndexOpen = "index-open";

    /// <summary>A segment file is missing from the numbering or its header is bad.</summary>
    public const string SegmentFile = "segment-file";

    /// <summary>A frame runs past the end of its file: a torn write.</summary>
    public const string FrameTorn = "frame-torn";

    /// <summary>A frame's CRC-32C does not match its payload.</summary>
    public const string FrameCrc = "frame-crc";

    /// <summary>A frame's payload is not a well-formed block.</summary>
    public const string BlockDecode = "block-decode";

    /// <summary>The block's height is not the next one.</summary>
    public const string Height = "height";

    /// <summary>The block belongs to another lane than the first block.</summary>
    public const string Lane = "lane";

    /// <summary>The block's parent is not the previous header's hash (zero at height 1).</summary>
    public const string ParentHash = "parent-hash";

    /// <summary>The header is not signed by its lane's key.</summary>
    public const string HeaderSignature = "header-signature";

    /// <summary>A batch is not signed by its author, or its records do not match its header.</summary>
    public const string BatchSignature = "batch-signature";

    /// <summary>The block's records do not hash to the header's records root, or their count differs.</summary>
    public const string RecordsRoot = "records-root";

    /// <summary>The lane log after the block does not match the header's log size and root.</summary>
    public const string LogRoot = "log-root";

    /// <summary>The certificate is missing, malformed, or does not certify the header.</summary>
    public const string Certificate = "certificate";

    /// <summary>The RocksDB index disagrees with the segments (head, block locations, headers, record locations, extra entries).</summary>
    public const string IndexMismatch = "index-mismatch";

    /// <summary>A <c>batch-trees</c> entry differs from the batch's tree, header and signature in the block, or the family holds entries no batch needs.</summary>
    public const string BatchTree = "batch-tree";

    /// <summary>The index head names blocks that the segment files do not hold.</summary>
    public const string BlocksMissing = "blocks-missing";

    /// <summary>Replaying a record through the custody rules refused it.</summary>
    public const string StateReplay = "state-replay";

    /// <summary>The replayed state does not hash to the header's state root.</summary>
    public const string StateRoot = "state-root";

    /// <summary>Something unexpected stopped the check (the reason names it).</summary>
    public const string Unreadable = "unreadable";
}
