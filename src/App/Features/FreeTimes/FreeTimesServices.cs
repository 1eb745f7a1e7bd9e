using App.Features.FreeTimes;

// Registration extensions live where the framework's own do, so Program.cs needs no using for them.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The slice's one line in Program.cs: its settings, what reading free times takes, and the sync loop.</summary>
public static class FreeTimesServices
{
    public static IServiceCollection AddFreeTimes(this IServiceCollection services) =>
        services.AddFlatSettings<FreeTimesOptions>().AddFlatSettings<AvailabilitySyncOptions>()
            .AddSingleton<FreeTimesSources>().AddHostedService<AvailabilitySyncWorker>();
}
