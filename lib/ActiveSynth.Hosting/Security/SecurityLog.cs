using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ActiveSynth.Hosting.Security;

internal static partial class SecurityLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} from {Peer} ({Status}): {Reason}")]
    public static partial void CallRefused(this ILogger logger, string method, string peer, StatusCode status, string reason);
}
