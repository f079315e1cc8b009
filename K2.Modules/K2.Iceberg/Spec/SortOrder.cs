namespace K2.Iceberg.Spec;

public sealed record SortField(int SourceId, Transform Transform, bool Ascending = true, bool NullsFirst = true)
{
    public string Direction => Ascending ? "asc" : "desc";

    public string NullOrder => NullsFirst ? "nulls-first" : "nulls-last";
}

public sealed record SortOrder(int OrderId, IReadOnlyList<SortField> Fields)
{
    public static readonly SortOrder Unsorted = new(0, []);
}
