using App.Features.WebhookSubscriptions;

// Registration extensions live where the framework's own do, so Program.cs needs no using for them.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The slice's one line in Program.cs.</summary>
public static class WebhookSubscriptionServices
{
    public static IServiceCollection AddWebhookSubscriptions(this IServiceCollection services) =>
        services.AddFlatSettings<WebhookHealthOptions>().AddHostedService<WebhookHealthWorker>();
}
