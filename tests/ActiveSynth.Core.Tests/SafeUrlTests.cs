using ActiveSynth.Core.Diagnostics;

namespace ActiveSynth.Core.Tests;

public sealed class SafeUrlTests
{
    [Theory]
    [InlineData("https://alice:pw@llm.example:8443/v1?api-key=k", "https://***@llm.example:8443/v1?***", "https://llm.example:8443")]
    [InlineData("http://token@10.0.0.5:7001", "http://***@10.0.0.5:7001/", "http://10.0.0.5:7001")]
    [InlineData("https://api.openai.com/v1", "https://api.openai.com/v1", "https://api.openai.com")]
    [InlineData("http://[::1]:8000/v1", "http://[::1]:8000/v1", "http://[::1]:8000")]
    public void User_information_and_query_never_survive(string url, string redacted, string authority)
    {
        Assert.Equal(redacted, SafeUrl.Redact(new Uri(url)));
        Assert.Equal(redacted, SafeUrl.Redact(url));
        Assert.Equal(authority, SafeUrl.Authority(new Uri(url)));
    }

    [Theory]
    [InlineData("not a url with a password")]
    [InlineData("")]
    [InlineData(null)]
    public void Text_that_is_not_an_absolute_url_is_hidden_whole(string? text) => Assert.Equal("***", SafeUrl.Redact(text));
}
