using System.ComponentModel.DataAnnotations;

namespace K2.Exchanges;

/// <summary>The URL must use one of the given schemes (e.g. ws/wss for WebSockets).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class UrlSchemeAttribute(params string[] schemes) : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is not Uri uri || schemes.Contains(uri.Scheme, StringComparer.OrdinalIgnoreCase)
            ? ValidationResult.Success
            : new ValidationResult($"{validationContext.MemberName} '{uri}' must be a {string.Join(" or ", schemes.Select(s => s + "://"))} URL", [validationContext.MemberName!]);
}
