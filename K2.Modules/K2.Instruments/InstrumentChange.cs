namespace K2.Instruments;

/// <summary>What a reload of instruments.yaml changed.</summary>
public sealed record InstrumentChange(InstrumentSet Previous, InstrumentSet Current, IReadOnlyList<Instrument> Added, IReadOnlyList<Instrument> Removed);
