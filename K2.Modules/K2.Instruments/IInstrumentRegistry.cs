namespace K2.Instruments;

/// <summary>The current validated instruments, and notifications when a reload changes them.</summary>
public interface IInstrumentRegistry
{
    InstrumentSet Current { get; }

    /// <summary>Calls <paramref name="onChange"/> after each reload that adds or removes instruments. Dispose to stop.</summary>
    IDisposable Subscribe(Action<InstrumentChange> onChange);
}
