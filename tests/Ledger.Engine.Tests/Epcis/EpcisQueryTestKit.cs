using Ledger.Engine.Epcis;
using Ledger.Protocol.Epcis;

namespace Ledger.Engine.Tests.Epcis;

/// <summary>Builders shared by the EPCIS query tests.</summary>
internal static class EpcisQueryTestKit
{
    public static readonly DateTimeOffset T0 = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    public static EpcisQuery Q(params (string Name, string? Value)[] parameters) =>
        EpcisQuery.Parse(parameters.Select(p => new KeyValuePair<string, string?>(p.Name, p.Value)));

    public static EpcisQuery QWith(EpcisQueryOptions options, params (string Name, string? Value)[] parameters) =>
        EpcisQuery.Parse(parameters.Select(p => new KeyValuePair<string, string?>(p.Name, p.Value)), options);

    public static EpcisQueryException Fails(params (string Name, string? Value)[] parameters) =>
        Xunit.Assert.Throws<EpcisQueryException>(() => Q(parameters));

    public static ObjectEvent Obj(params string[] epcs) => new()
    {
        EventTime = T0,
        EventTimeZoneOffset = "+00:00",
        Action = EpcisAction.Observe,
        EpcList = EpcisList.From(epcs),
    };

    public static AggregationEvent Agg(string? parent, params string[] children) => new()
    {
        EventTime = T0,
        EventTimeZoneOffset = "+00:00",
        Action = EpcisAction.Add,
        ParentId = parent,
        ChildEpcs = EpcisList.From(children),
    };

    public static TransformationEvent Transform(string[] inputs, string[] outputs) => new()
    {
        EventTime = T0,
        EventTimeZoneOffset = "+00:00",
        InputEpcList = EpcisList.From(inputs),
        OutputEpcList = EpcisList.From(outputs),
    };

    public static IReadOnlyList<EpcisEvent> ReadVector(params string[] path) =>
        EpcisReader.Read(File.ReadAllText(Path.Combine([AppContext.BaseDirectory, "vectors", "epcis", .. path]))).Events;
}
