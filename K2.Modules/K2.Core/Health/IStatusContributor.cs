namespace K2.Core.Health;

/// <summary>
/// A module's part of <c>k2 status</c>: one table for a person, read from state the module keeps.
/// The daemon serves all sections at <c>/status</c>.
/// </summary>
public interface IStatusContributor
{
    /// <summary>Sort order of the section on the screen (lower first).</summary>
    int Order { get; }

    StatusSection Snapshot();
}

/// <param name="Title">Section heading, e.g. "Exchanges".</param>
/// <param name="Columns">Column headings.</param>
/// <param name="Rows">One array of cell texts per row, as many as <paramref name="Columns"/>.</param>
/// <param name="Notes">Lines shown under the table (empty when none).</param>
public sealed record StatusSection(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<string> Notes);
