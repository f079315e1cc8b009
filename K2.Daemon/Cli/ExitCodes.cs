namespace K2.Daemon.Cli;

/// <summary>The exit codes of the <c>k2</c> command line, <c>k2 bench</c> included.</summary>
public static class ExitCodes
{
    /// <summary>The verb did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The verb failed; stderr says why.</summary>
    public const int Failure = 1;

    /// <summary>Bad configuration or options: nothing was started.</summary>
    public const int BadConfiguration = 2;

    /// <summary>Prints each configuration problem on stderr and returns <see cref="BadConfiguration"/>.</summary>
    public static int ReportConfigurationProblems(IReadOnlyList<string> problems)
    {
        Console.Error.WriteLine($"k2: invalid configuration ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}); nothing was started:");
        foreach (var problem in problems) { Console.Error.WriteLine($"  {problem}"); }
        return BadConfiguration;
    }
}
