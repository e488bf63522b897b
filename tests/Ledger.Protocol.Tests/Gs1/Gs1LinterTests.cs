using Ledger.Protocol.Gs1;
using Xunit;

namespace Ledger.Protocol.Tests.Gs1;

/// <summary>Own cases for linters the public vectors touch only on the failing side.</summary>
public class Gs1LinterTests
{
    [Theory]
    [InlineData("GB82WEST12345698765432")]
    [InlineData("DE89370400440532013000")]
    [InlineData("NO9386011117947")]
    public void Iban_KnownValidIbans_Pass(string iban) => Assert.Null(Gs1Linters.Run("iban", iban));

    [Theory]
    [InlineData("GB82WEST12345698765433", "INCORRECT_IBAN_CHECKSUM")]
    [InlineData("gb82WEST12345698765432", "INVALID_IBAN_CHARACTER")]
    [InlineData("XX82WEST12345698765432", "ILLEGAL_IBAN_COUNTRY_CODE")]
    public void Iban_Broken_NamesTheProblem(string iban, string code) => Assert.Equal(code, Gs1Linters.Run("iban", iban)?.Code);

    [Theory]
    [InlineData("iso3166", "276", true)]
    [InlineData("iso3166", "999", false)]
    [InlineData("iso3166999", "999", true)]
    [InlineData("iso3166alpha2", "DE", true)]
    [InlineData("iso3166alpha2", "XX", false)]
    [InlineData("iso4217", "978", true)]
    [InlineData("iso4217", "000", false)]
    [InlineData("gcppos1", "0614", true)]
    [InlineData("gcppos2", "0A614", false)]
    [InlineData("hhmi", "2359", true)]
    [InlineData("hhmi", "2360", false)]
    [InlineData("pcenc", "A%2FB", true)]
    [InlineData("pcenc", "A%2", false)]
    public void Run_OwnCases_MatchExpected(string linter, string value, bool valid) =>
        Assert.Equal(valid, Gs1Linters.Run(linter, value) is null);

    [Fact]
    public void ElementString_GlnExtensionWithoutGln_IsRequiresRule()
    {
        var ex = Assert.Throws<Gs1FormatException>(() => Gs1Identifier.Parse("(254)1234"));
        Assert.Equal(("AI (254)", "requires"), (ex.Field, ex.Rule));
    }

    [Fact]
    public void ElementString_UnknownAiWhenPermitted_IsKeptAndNeedsFnc1()
    {
        var options = new Gs1ParseOptions { PermitUnknownAis = true };
        var id = Gs1Identifier.Parse("(01)09520123456788(89)ABC(99)X", options);
        Assert.Equal("UNKNOWN", id.Elements[1].Title);
        Assert.Equal("^010952012345678889ABC^99X", id.ToElementString());
    }
}
