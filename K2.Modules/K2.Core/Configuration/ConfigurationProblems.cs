namespace K2.Core.Configuration;

/// <summary>
/// Every problem found while binding and validating configuration at start. The daemon prints
/// them all (one line each, naming the key) and exits with code 2 instead of starting half-configured.
/// </summary>
public sealed class ConfigurationProblems
{
    private readonly List<string> _problems = [];
    private readonly Lock _gate = new();

    public IReadOnlyList<string> All
    {
        get { lock (_gate) { return _problems.ToArray(); } }
    }

    public bool Any
    {
        get { lock (_gate) { return _problems.Count > 0; } }
    }

    /// <summary>Records a problem with a configuration key (path with ':' separators).</summary>
    public void AddForKey(string key, string message)
    {
        var env = "K2__" + key.Replace(":", "__", StringComparison.Ordinal);
        Add($"{key} (env {env}): {message}");
    }

    /// <summary>Records a problem that is not tied to one key (for example, a line of instruments.yaml).</summary>
    public void Add(string message)
    {
        lock (_gate) { _problems.Add(message); }
    }
}
