namespace Ledger.Protocol.Merkle;

/// <summary>
/// Why a Merkle proof failed. The numeric values are frozen (they may be persisted or sent over the wire);
/// add new members at the end only.
/// </summary>
public enum MerkleProofFailure
{
    /// <summary>The proof is valid.</summary>
    None = 0,

    /// <summary>Inclusion: the leaf index is negative or not below the tree size.</summary>
    IndexOutOfRange = 1,

    /// <summary>Consistency: a size is negative or the old size is larger than the new size.</summary>
    InvalidTreeSize = 2,

    /// <summary>The path has more or fewer hashes than the sizes (and index) require.</summary>
    WrongPathLength = 3,

    /// <summary>The root computed from the proof differs from the expected (new) root.</summary>
    RootMismatch = 4,

    /// <summary>Consistency: the old root computed from the proof differs from the expected old root.</summary>
    OldRootMismatch = 5,

    /// <summary>The encoded proof could not be decoded (truncated, trailing bytes, bad tag, bad field).</summary>
    MalformedEncoding = 6,

    /// <summary>Sparse Merkle tree: the proof is valid for the root but the key maps to a different value.</summary>
    ValueMismatch = 7,

    /// <summary>Sparse Merkle tree: absence was claimed but the proof shows the key is present.</summary>
    KeyPresent = 8,

    /// <summary>Sparse Merkle tree: a value was claimed but the proof shows the key is absent.</summary>
    KeyAbsent = 9,

    /// <summary>Sparse Merkle tree: the proof's leaf does not lie on the key's path (its key does not share the path prefix).</summary>
    LeafNotOnPath = 10,
}

/// <summary>
/// The outcome of verifying a Merkle proof. A failed proof is a result, never an exception:
/// <see cref="Failure"/> says why, <see cref="Expected"/> and <see cref="Computed"/> carry the roots where
/// they are known, and <see cref="Reason"/> is a sentence a person can act on.
/// </summary>
public sealed record MerkleProofResult
{
    private static readonly MerkleProofResult ValidWithoutRoot = new() { IsValid = true, Reason = "proof verified" };

    /// <summary>True when the proof verified.</summary>
    public required bool IsValid { get; init; }

    /// <summary>Why it failed; <see cref="MerkleProofFailure.None"/> when valid.</summary>
    public MerkleProofFailure Failure { get; init; }

    /// <summary>The root the caller expected (the trusted one), when the check got as far as comparing roots.</summary>
    public Hash32? Expected { get; init; }

    /// <summary>The root computed from the proof, when the check got as far as computing it.</summary>
    public Hash32? Computed { get; init; }

    /// <summary>A sentence saying what was checked and, on failure, what went wrong.</summary>
    public required string Reason { get; init; }

    internal static MerkleProofResult Valid(Hash32? root) =>
        root is null ? ValidWithoutRoot : new() { IsValid = true, Expected = root, Computed = root, Reason = "proof verified" };

    internal static MerkleProofResult Fail(MerkleProofFailure failure, string reason, Hash32? expected = null, Hash32? computed = null) =>
        new() { IsValid = false, Failure = failure, Reason = reason, Expected = expected, Computed = computed };
}
