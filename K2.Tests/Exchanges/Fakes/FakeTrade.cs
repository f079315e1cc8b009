namespace K2.Tests.Exchanges.Fakes;

/// <summary>A trade of a fake exchange's timeline, kept in the exchange's own notation for snapshots and REST.</summary>
/// <param name="Json">The trade object exactly as the fixture prints it (for snapshots).</param>
/// <param name="TimeUs">Trade time, µs.</param>
internal sealed record FakeTrade(int FrameIndex, string Symbol, long Id, string Json, string Price, string Quantity, long TimeUs, string Side);
