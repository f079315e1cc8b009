namespace K2.ClickHouse.Schema;

/// <summary>
/// A function, table function or query setting that K2's SQL relies on, with the ClickHouse release that introduced it
/// and what uses it. A module registers each one it needs as a singleton; the daemon's start refuses a server that
/// lacks any (<see cref="ServerCapabilities"/>).
/// </summary>
public sealed record ServerFeature(ServerFeatureKind Kind, string Name, Version Since, string UsedBy)
{
    public static ServerFeature Function(string name, Version since, string usedBy) => new(ServerFeatureKind.Function, name, since, usedBy);

    public static ServerFeature TableFunction(string name, Version since, string usedBy) => new(ServerFeatureKind.TableFunction, name, since, usedBy);

    public static ServerFeature Setting(string name, Version since, string usedBy) => new(ServerFeatureKind.Setting, name, since, usedBy);

    public string KindName => Kind switch
    {
        ServerFeatureKind.Function => "function",
        ServerFeatureKind.TableFunction => "table function",
        _ => "setting",
    };

    public override string ToString() => $"{Name} ({KindName}, ClickHouse {Since}+, {UsedBy})";
}
