using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ActiveSynth.Messaging.Requests;

/// <summary>Registration of both sides of request/reply over streams.</summary>
public static class RequestHostingExtensions
{
    /// <summary>
    /// A worker of <paramref name="route"/> in consumer group <paramref name="group"/>: <typeparamref name="THandler"/> answers each
    /// request, and its reply is published on the route's reply stream under the request's id, as <paramref name="policy"/> says.
    /// <see cref="ReplyPolicy.OnceUnderLease"/> needs an <see cref="IRequestLease"/> registered.
    /// </summary>
    public static IHostApplicationBuilder AddRequestHandler<TRequest, TReply, THandler>(this IHostApplicationBuilder builder,
        RequestRoute route, string group, ReplyPolicy policy)
        where TRequest : class, IMessage<TRequest>, new()
        where TReply : IMessage<TReply>
        where THandler : class, IRequestHandler<TRequest, TReply>
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(route);
        builder.AddStreamPublisher();
        builder.Services.TryAddSingleton<IRequestHandler<TRequest, TReply>, THandler>();
        builder.Services.AddSingleton(new RequestRegistration<TRequest>(route, policy));
        builder.AddStreamConsumer<TRequest, RequestStreamHandler<TRequest, TReply>>(route.RequestStream, group);
        return builder;
    }

    /// <summary>
    /// A requester (<see cref="RequestClient"/>); add the consumer of each reply type it waits for with
    /// <see cref="AddReplies{TReply}"/>. Options from <c>Messaging:Requests</c>, validated at start.
    /// </summary>
    public static IHostApplicationBuilder AddRequestClient(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddStreamPublisher();
        builder.Services.AddOptions<RequestClientOptions>()
            .BindConfiguration(RequestClientOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton<RequestClient>();
        return builder;
    }

    /// <summary>The requester's consumer of one reply type on <paramref name="route"/>'s reply stream, in group <paramref name="group"/>.</summary>
    public static IHostApplicationBuilder AddReplies<TReply>(this IHostApplicationBuilder builder, RequestRoute route, string group)
        where TReply : class, IMessage<TReply>, new()
    {
        ArgumentNullException.ThrowIfNull(route);
        builder.AddRequestClient();
        return builder.AddStreamConsumer<TReply, ReplyStoreHandler<TReply>>(route.ReplyStream, group);
    }
}
