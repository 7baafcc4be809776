using System.Diagnostics;
using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>
/// W3C trace context in stream entries: written on publish from the current span, read on consume to
/// parent the Consumer span, so one trace follows a round across services.
/// </summary>
internal static class TraceContext
{
    public static void Inject(Activity? activity, List<NameValueEntry> fields)
    {
        // Only W3C ids can be written as traceparent; hierarchical ids (legacy) are left out rather than mangled.
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C || activity.Id is null)
        {
            return;
        }
        fields.Add(new NameValueEntry(StreamEntryFields.TraceParent, activity.Id));
        if (!string.IsNullOrEmpty(activity.TraceStateString))
        {
            fields.Add(new NameValueEntry(StreamEntryFields.TraceState, activity.TraceStateString));
        }
    }

    public static ActivityContext Extract(string? traceParent, string? traceState) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context)
            ? context
            : default;
}
