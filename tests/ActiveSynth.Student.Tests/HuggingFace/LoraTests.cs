using System.Text.Json.Nodes;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.HuggingFace;
using ActiveSynth.Student.Training;
using TorchSharp;

namespace ActiveSynth.Student.Tests.HuggingFace;

public sealed class LoraTests
{
    private static readonly TrainingSettings Settings = new()
    {
        Steps = 30, BatchSize = 4, LearningRate = 1e-2, Schedule = LearningRateSchedule.Constant, ReplayFraction = 0, Seed = 1, LossLogInterval = 10,
    };

    [Fact]
    public void Training_lowers_the_loss_and_leaves_every_base_weight_bit_identical()
    {
        torch.set_num_threads(1);
        using var checkpoint = TinyHfCheckpoint.Qwen(seed: 11);
        using var student = HfStudent.Load(checkpoint.Directory);
        var baseBefore = student.Network.named_parameters().ToDictionary(p => p.name, p => HfTestSupport.Bytes(p.parameter));
        var items = HfTestSupport.Items();
        var before = LoraTrainer.EvaluateLoss(student, items);

        var adapters = LoraAdapter.Attach(student, new LoraSettings { Rank = 4, Alpha = 8, Dropout = 0 }, seed: 1);
        Assert.Equal(2 * 7 * student.Config.Layers, adapters.Count); // A and B on 7 projections per layer
        Assert.Equal(before, LoraTrainer.EvaluateLoss(student, items), 5); // B starts at zero: attaching changes nothing
        var report = LoraTrainer.Train(student, Settings, new TrainingBatchSampler(items, null, 0, Settings.BatchSize, Settings.Seed));
        var after = LoraTrainer.EvaluateLoss(student, items);

        Assert.True(after < before * 0.7, $"loss {before} → {after}");
        Assert.Equal(Settings.Steps, report.Steps);
        foreach (var (name, parameter) in student.Network.named_parameters().Where(p => !p.name.Contains("lora_", StringComparison.Ordinal)))
        {
            Assert.False(parameter.requires_grad, name);
            Assert.Equal(baseBefore[name], HfTestSupport.Bytes(parameter));
        }
    }

    [Fact]
    public void Adapters_round_trip_exactly_in_the_peft_layout()
    {
        torch.set_num_threads(1);
        using var checkpoint = TinyHfCheckpoint.Qwen(seed: 12);
        var adapterDir = Path.Combine(checkpoint.Directory, "adapter-round-1");
        var items = HfTestSupport.Items();
        float[] trainedLogits;
        Dictionary<string, byte[]> trainedTensors;
        var probe = new[] { 5, 60, 270, TinyHfCheckpoint.FirstSpecialId + 1, 33 };
        using (var student = HfStudent.Load(checkpoint.Directory))
        {
            LoraAdapter.Attach(student, new LoraSettings { Rank = 2, Alpha = 4, Dropout = 0.1, TargetModules = ["q_proj", "v_proj", "down_proj"] }, seed: 2);
            LoraTrainer.Train(student, Settings with { Steps = 5 }, new TrainingBatchSampler(items, null, 0, 4, 3));
            LoraAdapter.Save(student, adapterDir, "Qwen/Qwen2.5-0.5B-Instruct");
            trainedLogits = HfTestSupport.Logits(student, probe);
            trainedTensors = LoraAdapter.PeftTensors(student).ToDictionary(p => p.Key, p => HfTestSupport.Bytes(p.Value));
        }

        var header = SafeTensors.ReadHeader(Path.Combine(adapterDir, LoraAdapter.WeightsFile));
        Assert.Equal(2 * 3 * 2, header.Entries.Count);
        var qA = header.Entries["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"];
        var qB = header.Entries["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"];
        Assert.Equal([2L, 32], qA.Shape); // (r, in)
        Assert.Equal([32L, 2], qB.Shape); // (out, r)
        Assert.Equal([32L, 2], header.Entries["base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"].Shape);
        Assert.DoesNotContain(header.Entries.Keys, k => k.Contains("k_proj", StringComparison.Ordinal));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(adapterDir, LoraAdapter.ConfigFile)))!.AsObject();
        Assert.Equal("LORA", config["peft_type"]!.GetValue<string>());
        Assert.Equal("CAUSAL_LM", config["task_type"]!.GetValue<string>());
        Assert.Equal("none", config["bias"]!.GetValue<string>());
        Assert.Equal(2, config["r"]!.GetValue<int>());
        Assert.Equal(4, config["lora_alpha"]!.GetValue<double>());
        Assert.Equal(0.1, config["lora_dropout"]!.GetValue<double>());
        Assert.Equal(["q_proj", "v_proj", "down_proj"], config["target_modules"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("Qwen/Qwen2.5-0.5B-Instruct", config["base_model_name_or_path"]!.GetValue<string>());

        using var reloaded = HfStudent.Load(checkpoint.Directory);
        var settings = LoraAdapter.Load(reloaded, adapterDir);
        Assert.Equal(2, settings.Rank);
        var reloadedTensors = LoraAdapter.PeftTensors(reloaded).ToDictionary(p => p.Key, p => HfTestSupport.Bytes(p.Value));
        Assert.Equal(trainedTensors.Keys.Order(), reloadedTensors.Keys.Order());
        foreach (var (key, bytes) in trainedTensors)
        {
            Assert.Equal(bytes, reloadedTensors[key]);
        }
        HfTestSupport.AssertSameLogits(trainedLogits, HfTestSupport.Logits(reloaded, probe));
        using var plain = HfStudent.Load(checkpoint.Directory);
        var adapterEffect = HfTestSupport.MaxDifference(trainedLogits, HfTestSupport.Logits(plain, probe));
        Assert.True(adapterEffect > 0.1, $"the adapter changes the logits by only {adapterEffect}");
    }

    [Fact]
    public void An_adapter_with_a_wrong_shape_or_a_foreign_key_is_refused_naming_the_file_and_tensor()
    {
        using var checkpoint = TinyHfCheckpoint.Qwen(seed: 13);
        var adapterDir = Path.Combine(checkpoint.Directory, "adapter");
        using (var student = HfStudent.Load(checkpoint.Directory))
        {
            LoraAdapter.Attach(student, new LoraSettings { Rank = 2, TargetModules = ["q_proj"] }, seed: 1);
            LoraAdapter.Save(student, adapterDir);
        }
        var config = Path.Combine(adapterDir, LoraAdapter.ConfigFile);
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"r\": 2", "\"r\": 3", StringComparison.Ordinal));
        using var other = HfStudent.Load(checkpoint.Directory);
        var ex = Assert.Throws<HfCheckpointException>(() => LoraAdapter.Load(other, adapterDir));
        Assert.Contains(LoraAdapter.WeightsFile, ex.Message, StringComparison.Ordinal);
        Assert.Contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", ex.Message, StringComparison.Ordinal);
        Assert.Contains("shape", ex.Message, StringComparison.Ordinal);
    }
}
