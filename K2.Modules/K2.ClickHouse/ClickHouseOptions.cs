using System.ComponentModel.DataAnnotations;
using K2.Core.Configuration;

namespace K2.ClickHouse;

public enum ClickHouseMode
{
    /// <summary>chDB, the ClickHouse engine in-process (default).</summary>
    Embedded,

    /// <summary>A ClickHouse server over HTTP.</summary>
    Http,
}

public sealed class ClickHouseOptions : ModuleOptions, IValidatableObject
{
    public const string SectionName = "Modules:ClickHouse";

    public ClickHouseMode Mode { get; set; } = ClickHouseMode.Embedded;

    /// <summary>Database holding K2's hot tier. Default <c>k2</c>.</summary>
    [RegularExpression("^[A-Za-z_][A-Za-z0-9_]{0,63}$", ErrorMessage = "must be a plain identifier: letters, digits and _ (not starting with a digit), at most 64 characters")]
    public string Database { get; set; } = "k2";

    public EmbeddedClickHouseOptions Embedded { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) => [];
}

public sealed class EmbeddedClickHouseOptions
{
    /// <summary>Storage folder of the embedded engine. Default <c>&lt;Storage:DataDir&gt;/clickhouse</c>.</summary>
    public string DataPath { get; set; } = "";

    /// <summary>Path of libchdb.so. Default: <c>K2_CHDB_LIB</c>, else the cache that scripts/fetch-chdb.sh fills.</summary>
    public string LibraryPath { get; set; } = "";
}
