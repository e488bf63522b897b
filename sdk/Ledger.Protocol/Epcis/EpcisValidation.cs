using System.Globalization;
using System.Text.RegularExpressions;

namespace Ledger.Protocol.Epcis;

/// <summary>Cross-field rules shared by the readers.</summary>
internal static partial class EpcisValidation
{
    [GeneratedRegex("^[A-Z0-9]{2,3}$", RegexOptions.CultureInvariant)]
    private static partial Regex UomPattern();

    public static QuantityElement Quantity(string epcClass, decimal? quantity, string? uom, string path)
    {
        if (uom is not null && !UomPattern().IsMatch(uom))
            throw new EpcisFormatException(path + ".uom", "pattern", $"'{uom}' is not a UN/CEFACT unit code (^[A-Z0-9]{{2,3}}$)");
        return new QuantityElement(epcClass, quantity, uom);
    }

    public static bool TryParseDouble(string s, out double d) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out d) && double.IsFinite(d);

    public static bool TryParseDecimal(string s, out decimal d) =>
        decimal.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out d);

    public static void ValidateEvent(EpcisEvent e, string path)
    {
        switch (e)
        {
            case ObjectEvent o when o.EpcList.IsEmpty && o.QuantityList.IsEmpty && o.SensorElementList.IsEmpty:
                throw new EpcisFormatException(path + ".epcList", "required", "an ObjectEvent needs epcList, quantityList or sensorElementList");
            case TransactionEvent t when t.BizTransactionList.IsEmpty:
                throw new EpcisFormatException(path + ".bizTransactionList", "required", "a TransactionEvent needs a non-empty bizTransactionList");
        }
    }
}
