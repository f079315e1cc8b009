namespace K2.Instruments;

/// <summary>instruments.yaml is invalid; <see cref="Problems"/> name the file, line and problem.</summary>
public sealed class InstrumentsFileException(IReadOnlyList<string> problems)
    : Exception(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
