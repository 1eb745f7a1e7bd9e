using App.Features.TokenRefresh;

// Registration extensions live where the framework's own do, so Program.cs needs no using for them.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The slice's one line in Program.cs.</summary>
public static class TokenRefreshServices
{
    public static IServiceCollection AddTokenRefresh(this IServiceCollection services) =>
        services.AddFlatSettings<TokenRefreshOptions>().AddHostedService<TokenRefreshWorker>();
}
