namespace K2.Core.Configuration;

/// <summary>Base of every module's options: <c>Modules:&lt;Name&gt;:Enabled</c> switches the module on or off.</summary>
public abstract class ModuleOptions
{
    /// <summary>Whether the module starts. A disabled module registers and starts nothing.</summary>
    public bool Enabled { get; set; } = true;
}
