using App.Features.LiveUpdates;
using App.Infrastructure.Database;

// Registration extensions live where the framework's own do, so Program.cs needs no using for them.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The slice's one line in Program.cs.</summary>
public static class LiveUpdatesServices
{
    public static IServiceCollection AddLiveUpdates(this IServiceCollection services) =>
        services.AddNotificationHandler<LiveUpdateHub>();
}
