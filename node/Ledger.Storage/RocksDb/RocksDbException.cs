namespace Ledger.Storage.RocksDb;

/// <summary>An error reported by RocksDB (through <c>char** errptr</c> or an iterator's status); the message is RocksDB's own.</summary>
public sealed class RocksDbException : Exception
{
    /// <summary>Creates an exception carrying RocksDB's message.</summary>
    public RocksDbException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception carrying RocksDB's message and a cause.</summary>
    public RocksDbException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception with a generic message.</summary>
    public RocksDbException()
        : base("RocksDB error")
    {
    }
}
