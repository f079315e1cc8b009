namespace K2.Daemon.Cli;

internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;

    /// <summary>Bad configuration: the daemon did not start.</summary>
    public const int BadConfiguration = 2;

    public static int ReportConfigurationProblems(IReadOnlyList<string> problems)
    {
        Console.Error.WriteLine($"k2: invalid configuration ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}); nothing was started:");
        foreach (var problem in problems) { Console.Error.WriteLine($"  {problem}"); }
        return BadConfiguration;
    }
}
