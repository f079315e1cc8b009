using K2.Core.Configuration;

namespace K2.Exchanges;

public sealed class ExchangesOptions : ModuleOptions
{
    public const string SectionName = "Modules:Exchanges";
}
