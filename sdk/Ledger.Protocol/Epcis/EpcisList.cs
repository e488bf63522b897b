using System.Collections;
using System.Runtime.CompilerServices;

namespace Ledger.Protocol.Epcis;

/// <summary>Builds <see cref="EpcisList{T}"/> values (also used by collection expressions).</summary>
public static class EpcisList
{
    /// <summary>Creates a list holding a copy of <paramref name="items"/>.</summary>
    public static EpcisList<T> Create<T>(ReadOnlySpan<T> items) => items.IsEmpty ? EpcisList<T>.Empty : new EpcisList<T>(items.ToArray());

    /// <summary>Creates a list holding a copy of <paramref name="items"/>.</summary>
    public static EpcisList<T> From<T>(IEnumerable<T> items)
    {
        var array = items.ToArray();
        return array.Length == 0 ? EpcisList<T>.Empty : new EpcisList<T>(array);
    }
}

/// <summary>
/// An immutable list with value equality (two lists are equal when they hold equal items in the same order),
/// so that records holding lists compare by content.
/// </summary>
[CollectionBuilder(typeof(EpcisList), nameof(EpcisList.Create))]
public sealed class EpcisList<T> : IReadOnlyList<T>, IEquatable<EpcisList<T>>
{
    private readonly T[] _items;

    /// <summary>The empty list.</summary>
    internal static EpcisList<T> Empty { get; } = new([]);

    internal EpcisList(T[] items) => _items = items;

    /// <inheritdoc/>
    public T this[int index] => _items[index];

    /// <inheritdoc/>
    public int Count => _items.Length;

    /// <summary>True when the list has no items.</summary>
    public bool IsEmpty => _items.Length == 0;

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc/>
    public bool Equals(EpcisList<T>? other) =>
        other is not null && (ReferenceEquals(this, other) || _items.AsSpan().SequenceEqual(other._items, EqualityComparer<T>.Default));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as EpcisList<T>);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var item in _items)
            h.Add(item);
        return h.ToHashCode();
    }

    /// <inheritdoc/>
    public override string ToString() => "[" + string.Join(", ", _items) + "]";
}
