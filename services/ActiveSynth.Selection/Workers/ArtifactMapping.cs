using ActiveSynth.Contracts.V1;
using ActiveSynth.Selection.Runs;

namespace ActiveSynth.Selection.Workers;

public static class ArtifactMapping
{
    public static ArtifactRef ToContract(this ArtifactInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new ArtifactRef { Path = info.Path, Sha256 = info.Sha256, SizeBytes = info.SizeBytes, MediaType = info.MediaType };
    }
}
