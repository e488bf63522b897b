namespace Ledger.Protocol.Gs1;

/// <summary>One AI element: the AI and its value (unescaped, as in the element string).</summary>
public sealed record Gs1Element(string Ai, string Value)
{
    /// <summary>The dictionary title, or <c>UNKNOWN</c> for an AI not in the dictionary.</summary>
    public string Title => Gs1AiTable.TryGet(Ai, out var e) ? e.Title : "UNKNOWN";

    /// <summary>False when an FNC1 separator must follow this AI if more data follows (variable length or unknown AI).</summary>
    public bool PredefinedLength => Gs1AiTable.TryGet(Ai, out var e) && e.PredefinedLength;

    /// <summary>The field name used in errors: <c>AI (nn)</c>.</summary>
    public string Field => FieldFor(Ai);

    internal static string FieldFor(string ai) => $"AI ({ai})";

    /// <inheritdoc/>
    public override string ToString() => $"({Ai}){Value}";
}

/// <summary>
/// Engine options for parsing. The defaults are strict, as in the GS1 Syntax Engine: unknown AIs rejected,
/// zero-suppressed GTINs in Digital Link URIs rejected, convenience alphas (<c>/gtin/</c>) rejected.
/// </summary>
public sealed record Gs1ParseOptions
{
    /// <summary>The strict defaults.</summary>
    public static Gs1ParseOptions Default { get; } = new();

    /// <summary>Accept AIs not in the syntax dictionary (value: 1-90 characters of CSET 82, FNC1 required after it).</summary>
    public bool PermitUnknownAis { get; init; }

    /// <summary>Accept GTIN-8/12/13 for AI (01) in Digital Link URIs and pad them to 14 digits.</summary>
    public bool PermitZeroSuppressedGtinInDigitalLink { get; init; }

    /// <summary>Accept the Digital Link convenience alphas (e.g. <c>/gtin/</c>, <c>/ser/</c>, <c>/sscc/</c>) in URI paths.</summary>
    public bool PermitConvenienceAlphas { get; init; }

    /// <summary>Reject unknown AIs as Digital Link data attributes even when <see cref="PermitUnknownAis"/> (default true).</summary>
    public bool UnknownAiNotDigitalLinkAttribute { get; init; } = true;

    /// <summary>Check the req=/ex= association rules and that repeated AIs carry the same value (default true).</summary>
    public bool ValidateAssociations { get; init; } = true;
}
