using App.Features.Webhooks;

// Registration extensions live where the framework's own do, so Program.cs needs no using for them.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The slice's one line in Program.cs: settings, the batch writer deliveries wait on, and the processor.</summary>
public static class WebhookServices
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services) =>
        services.AddFlatSettings<WebhookOptions>().AddSingleton<WebhookBatchWriter>()
            .AddHostedService(provider => provider.GetRequiredService<WebhookBatchWriter>())
            .AddHostedService<WebhookProcessingWorker>();
}
