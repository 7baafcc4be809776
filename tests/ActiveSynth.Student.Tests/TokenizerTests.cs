using ActiveSynth.Student.Tokenization;

namespace ActiveSynth.Student.Tests;

public sealed class TokenizerTests
{
    [Fact]
    public void Encode_then_decode_gives_the_text_back()
    {
        var text = "Q:rev abc\nA:c,b,a #### cba";
        var ids = CharTokenizer.Default.Encode(text);
        Assert.Equal(text.Length, ids.Length);
        Assert.All(ids, id => Assert.True(id > CharTokenizer.Unk));
        Assert.Equal(text, CharTokenizer.Default.Decode(ids));
    }

    [Fact]
    public void Special_tokens_decode_to_nothing_and_unknown_chars_to_unk()
    {
        var tokenizer = new CharTokenizer("ab");
        Assert.Equal([3, 4, CharTokenizer.Unk], tokenizer.Encode("abz"));
        Assert.Equal("ab", tokenizer.Decode([CharTokenizer.Pad, 3, CharTokenizer.Eos, 4]));
        Assert.Equal(5, tokenizer.VocabSize);
    }

    [Fact]
    public void Json_round_trip_is_exact()
    {
        var json = CharTokenizer.Default.ToJson();
        var restored = CharTokenizer.FromJson(json);
        Assert.Equal(CharTokenizer.Default, restored);
        Assert.Equal(CharTokenizer.Default.VocabSize, restored.VocabSize);
        Assert.Equal(json, restored.ToJson());
    }

    [Fact]
    public void A_foreign_tokenizer_file_is_rejected()
    {
        Assert.Throws<InvalidDataException>(() => CharTokenizer.FromJson("""{"kind":"bpe","pad":0,"eos":1,"unk":2,"alphabet":"ab"}"""));
    }
}
