using System.ComponentModel.DataAnnotations;
using System.Reflection;
using K2.Core.Configuration;
using K2.Core.Trades;

namespace K2.Exchanges;

/// <summary>
/// <c>Modules:Exchanges</c>: the ingestors. Each exchange's folder adds its <c>Modules:Exchanges:&lt;Name&gt;</c> section to
/// this partial class (<c>Binance/ExchangesOptions.Binance.cs</c>, …), so the list of exchanges is written nowhere else.
/// </summary>
public sealed partial class ExchangesOptions : ModuleOptions, IValidatableObject
{
    public const string SectionName = "Modules:Exchanges";

    private static readonly PropertyInfo[] ExchangeSections = typeof(ExchangesOptions).GetProperties()
        .Where(p => p.PropertyType.IsAssignableTo(typeof(ExchangeOptions)))
        .ToArray();

    /// <summary>This daemon's part of the instrument set when several daemons split it (0-based). Default 0.</summary>
    [Range(0, 1023, ErrorMessage = "ShardIndex must be 0..1023 and below ShardCount")]
    public int ShardIndex { get; set; }

    /// <summary>How many daemons split the instrument set; 1 takes all. Default 1.</summary>
    [Range(1, 1024, ErrorMessage = "ShardCount must be 1..1024")]
    public int ShardCount { get; set; } = 1;

    public ResumeOptions Resume { get; set; } = new();

    /// <summary>The options of <paramref name="exchange"/>.</summary>
    public ExchangeOptions For(Exchange exchange) =>
        Sections().SingleOrDefault(o => o.Exchange == exchange)
        ?? throw new InvalidOperationException($"no Modules:Exchanges section for {exchange.ToWire()}: its folder must add one to ExchangesOptions");

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ShardIndex >= ShardCount)
        {
            yield return new ValidationResult($"ShardIndex {ShardIndex} must be below ShardCount {ShardCount}", [nameof(ShardIndex)]);
        }
    }

    /// <summary>The adapter of <paramref name="exchange"/>, configured by its section.</summary>
    internal IExchangeAdapter Adapter(Exchange exchange) => For(exchange).CreateAdapter();

    /// <summary>Every exchange's adapter, in <see cref="ExchangeNames.All"/> order.</summary>
    internal IReadOnlyList<IExchangeAdapter> Adapters() => ExchangeNames.All.Select(Adapter).ToArray();

    private IEnumerable<ExchangeOptions> Sections() => ExchangeSections.Select(p => (ExchangeOptions)p.GetValue(this)!);
}
