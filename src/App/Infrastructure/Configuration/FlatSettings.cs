using Microsoft.Extensions.Options;

namespace App.Infrastructure.Configuration;

/// <summary>
/// A feature's settings, read from flat environment names (the README's configuration table) by a record in the
/// feature's folder: <see cref="Read"/> gives every property its value or its default, and leaves each bad value's
/// problem in the reader instead of stopping.
/// </summary>
public interface IFlatSettings
{
    void Read(SettingsReader settings);
}

public static class FlatSettings
{
    /// <summary>
    /// Binds <typeparamref name="T"/> through the options framework, validated on start (<see cref="SettingsCheck"/>),
    /// and registers the bound value itself: settings do not change while the app runs, so handlers and workers take
    /// the plain settings as a parameter, and tests construct them directly.
    /// </summary>
    public static IServiceCollection AddFlatSettings<T>(this IServiceCollection services) where T : class, IFlatSettings, new()
    {
        services.AddOptions<T>().ValidateOnStart();
        return services
            .AddSingleton<IConfigureOptions<T>, FlatSettingsBinding<T>>()
            .AddSingleton<IValidateOptions<T>, FlatSettingsBinding<T>>()
            .AddSingleton(provider => provider.GetRequiredService<IOptions<T>>().Value);
    }

    /// <summary>
    /// The framework's binder stops at the first value it cannot convert; <see cref="SettingsReader"/> names each bad
    /// value with its allowed range and goes on. Configuring reads the values; validating reads again, into a scratch
    /// copy, for the problems.
    /// </summary>
    private sealed class FlatSettingsBinding<T>(IConfiguration configuration) : IConfigureOptions<T>, IValidateOptions<T>
        where T : class, IFlatSettings, new()
    {
        public void Configure(T options) => options.Read(new SettingsReader(configuration));

        public ValidateOptionsResult Validate(string? name, T options)
        {
            var reader = new SettingsReader(configuration);
            new T().Read(reader);
            return reader.Problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(reader.Problems);
        }
    }
}
