using Microsoft.Extensions.Options;

namespace App.Infrastructure.Configuration;

/// <summary>
/// One start reports every bad setting at once: Infrastructure's, found while <see cref="AppSettings.Load"/> read
/// them, and every feature's, whose options are validated on start (<see cref="IFlatSettings"/>).
/// </summary>
public static class SettingsCheck
{
    /// <summary>Called straight after the app is built, before the migration or anything else acts on a setting.</summary>
    public static void ThrowIfInvalid(IServiceProvider services, IReadOnlyList<string> infrastructureProblems)
    {
        var problems = infrastructureProblems.ToList();
        try
        {
            // Absent when no feature has settings of its own.
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException e)
        {
            problems.AddRange(e.Failures);
        }
        catch (AggregateException e) // one OptionsValidationException for each options type that failed
        {
            problems.AddRange(e.InnerExceptions.OfType<OptionsValidationException>().SelectMany(failed => failed.Failures));
        }
        if (problems.Count > 0) throw new InvalidConfigurationException(problems);
    }
}

public sealed class InvalidConfigurationException(IReadOnlyList<string> problems)
    : Exception("The configuration is invalid:" + string.Concat(problems.Select(p => Environment.NewLine + "  - " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
