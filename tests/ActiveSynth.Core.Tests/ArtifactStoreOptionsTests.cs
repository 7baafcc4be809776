using System.ComponentModel.DataAnnotations;
using ActiveSynth.Core.Artifacts;

namespace ActiveSynth.Core.Tests;

/// <summary>Artifacts:Remote is checked at start (the services validate their options on start), naming the setting.</summary>
public sealed class ArtifactStoreOptionsTests
{
    private static List<ValidationResult> Problems(ArtifactStoreOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("http://selection.example:7001")]
    [InlineData("https://10.0.0.5:7001/")]
    public void A_missing_or_http_remote_is_accepted(string? remote) =>
        Assert.Empty(Problems(new ArtifactStoreOptions { Root = "/tmp/a", Remote = remote }));

    [Theory]
    [InlineData("selection:7001")]
    [InlineData("ftp://selection.example/")]
    [InlineData("not a url")]
    public void Any_other_remote_is_refused_naming_the_setting(string remote)
    {
        var problem = Assert.Single(Problems(new ArtifactStoreOptions { Root = "/tmp/a", Remote = remote }));
        Assert.StartsWith("Artifacts:Remote must be", problem.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains(remote, problem.ErrorMessage, StringComparison.Ordinal);
    }
}
