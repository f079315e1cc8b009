using K2.Core.Health;

namespace K2.Observability;

/// <summary>The JSON body of <c>/status</c>, read by <c>k2 status</c>.</summary>
public sealed record StatusDocument(DateTimeOffset GeneratedAt, IReadOnlyList<StatusSection> Sections);
