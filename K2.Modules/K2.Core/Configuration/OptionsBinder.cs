using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace K2.Core.Configuration;

/// <summary>
/// Binds a configuration section onto an options object key by key, so that every bad value,
/// unknown key and failed validation is reported on its own, naming the key and what is allowed.
/// (ConfigurationBinder stops at the first conversion failure and ignores unknown keys.)
/// </summary>
public static class OptionsBinder
{
    /// <summary>
    /// A new <typeparamref name="T"/> bound from <paramref name="section"/> and validated (data annotations and
    /// <see cref="IValidatableObject"/>); each problem is added to <paramref name="problems"/> under its key. For options
    /// read outside a service collection; modules use <see cref="ValidatedOptionsExtensions.AddValidatedOptions{T}"/>.
    /// </summary>
    public static T Bind<T>(IConfigurationSection section, ConfigurationProblems problems) where T : class, new()
    {
        var instance = new T();
        BindObject(instance, section, problems);
        Validate(instance, section.Path, problems);
        return instance;
    }

    private static void BindObject(object target, IConfigurationSection section, ConfigurationProblems problems)
    {
        var properties = target.GetType()
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite || IsCollection(p.PropertyType))
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                problems.AddForKey(child.Path, $"unknown key; allowed keys here: {string.Join(", ", properties.Keys.Order(StringComparer.Ordinal))}");
                continue;
            }

            BindProperty(target, property, child, problems);
        }
    }

    private static void BindProperty(object target, PropertyInfo property, IConfigurationSection section, ConfigurationProblems problems)
    {
        var type = property.PropertyType;
        if (IsScalar(type))
        {
            if (section.Value is null && section.GetChildren().Any())
            {
                problems.AddForKey(section.Path, $"expected a single value ({Describe(type)}), found a section");
                return;
            }

            if (TryConvert(section.Value, type, out var value))
            {
                property.SetValue(target, value);
            }
            else
            {
                problems.AddForKey(section.Path, $"'{section.Value}' is not valid; allowed: {Describe(type)}");
            }

            return;
        }

        if (TryGetDictionaryValueType(type, out var valueType))
        {
            var dictionary = (IDictionary)(property.GetValue(target) ?? Activator.CreateInstance(type)!);
            foreach (var entry in section.GetChildren())
            {
                var item = dictionary.Contains(entry.Key) ? dictionary[entry.Key] : null;
                if (IsScalar(valueType))
                {
                    if (TryConvert(entry.Value, valueType, out var converted)) { dictionary[entry.Key] = converted; }
                    else { problems.AddForKey(entry.Path, $"'{entry.Value}' is not valid; allowed: {Describe(valueType)}"); }
                }
                else
                {
                    item ??= Activator.CreateInstance(valueType)!;
                    BindObject(item, entry, problems);
                    dictionary[entry.Key] = item;
                }
            }

            if (property.CanWrite) { property.SetValue(target, dictionary); }
            return;
        }

        if (TryGetListElementType(type, out var elementType))
        {
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
            foreach (var entry in section.GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue))
            {
                if (IsScalar(elementType))
                {
                    if (TryConvert(entry.Value, elementType, out var converted)) { list.Add(converted); }
                    else { problems.AddForKey(entry.Path, $"'{entry.Value}' is not valid; allowed: {Describe(elementType)}"); }
                }
                else
                {
                    var item = Activator.CreateInstance(elementType)!;
                    BindObject(item, entry, problems);
                    list.Add(item);
                }
            }

            if (type.IsArray)
            {
                var array = Array.CreateInstance(elementType, list.Count);
                list.CopyTo(array, 0);
                property.SetValue(target, array);
            }
            else if (property.CanWrite)
            {
                property.SetValue(target, list);
            }

            return;
        }

        var nested = property.GetValue(target);
        if (nested is null)
        {
            nested = Activator.CreateInstance(type)!;
            property.SetValue(target, nested);
        }

        BindObject(nested, section, problems);
    }

    private static void Validate(object instance, string path, ConfigurationProblems problems)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var members = result.MemberNames.ToArray();
            if (members.Length == 0) { problems.AddForKey(path, result.ErrorMessage ?? "invalid"); }
            foreach (var member in members) { problems.AddForKey($"{path}:{member}", result.ErrorMessage ?? "invalid"); }
        }

        foreach (var property in instance.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || IsScalar(property.PropertyType)) { continue; }
            var value = property.GetValue(instance);
            switch (value)
            {
                case null: break;
                case IDictionary dictionary:
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        if (entry.Value is not null && !IsScalar(entry.Value.GetType())) { Validate(entry.Value, $"{path}:{property.Name}:{entry.Key}", problems); }
                    }
                    break;
                case IEnumerable items when value is not string:
                    var index = 0;
                    foreach (var item in items)
                    {
                        if (item is not null && !IsScalar(item.GetType())) { Validate(item, $"{path}:{property.Name}:{index}", problems); }
                        index++;
                    }
                    break;
                default:
                    Validate(value, $"{path}:{property.Name}", problems);
                    break;
            }
        }
    }

    private static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
            || type == typeof(TimeSpan) || type == typeof(Uri) || type == typeof(DateTimeOffset);
    }

    private static bool IsCollection(Type type) => TryGetDictionaryValueType(type, out _) || TryGetListElementType(type, out _);

    private static bool TryGetDictionaryValueType(Type type, out Type valueType)
    {
        var dictionary = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? type : null;
        if (dictionary is not null && dictionary.GetGenericArguments()[0] == typeof(string))
        {
            valueType = dictionary.GetGenericArguments()[1];
            return true;
        }

        valueType = typeof(object);
        return false;
    }

    private static bool TryGetListElementType(Type type, out Type elementType)
    {
        if (type.IsArray) { elementType = type.GetElementType()!; return true; }
        if (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(List<>) || type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) || type.GetGenericTypeDefinition() == typeof(IList<>)))
        {
            elementType = type.GetGenericArguments()[0];
            return true;
        }

        elementType = typeof(object);
        return false;
    }

    private static bool TryConvert(string? text, Type type, out object? value)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (text is null || (text.Length == 0 && type != typeof(string)))
        {
            value = null;
            return underlying is not null || !type.IsValueType;
        }

        var target = underlying ?? type;
        try
        {
            if (target.IsEnum)
            {
                var ok = Enum.TryParse(target, text, ignoreCase: true, out value) && Enum.IsDefined(target, value!) && !int.TryParse(text, out _);
                return ok;
            }

            if (target == typeof(bool))
            {
                var ok = bool.TryParse(text, out var flag);
                value = flag;
                return ok;
            }

            value = TypeDescriptor.GetConverter(target).ConvertFromString(null, CultureInfo.InvariantCulture, text);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException || ex.InnerException is FormatException or OverflowException)
        {
            value = null;
            return false;
        }
    }

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(bool)) { return "true or false"; }
        if (type.IsEnum) { return string.Join(", ", Enum.GetNames(type)); }
        if (type == typeof(TimeSpan)) { return "a duration such as 00:00:30"; }
        if (type == typeof(int) || type == typeof(long) || type == typeof(short)) { return "a whole number"; }
        if (type == typeof(double) || type == typeof(decimal) || type == typeof(float)) { return "a number"; }
        if (type == typeof(Uri)) { return "an absolute URI"; }
        return type.Name;
    }
}
