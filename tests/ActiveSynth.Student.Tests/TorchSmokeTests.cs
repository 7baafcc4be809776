using System.Runtime.InteropServices;
using ActiveSynth.Student;
using TorchSharp;
using M = TorchSharp.Modules;

namespace ActiveSynth.Student.Tests;

/// <summary>Proves libtorch loads in a test output folder (the GLIBCXX fix applied) and does real work.</summary>
public sealed class TorchSmokeTests
{
    [Fact]
    public void Tensor_op_gives_the_known_product()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);
        var product = a.matmul(a).data<float>().ToArray();
        Assert.Equal(new float[] { 7, 10, 15, 22 }, product);
    }

    [Fact]
    public void One_training_step_lowers_the_loss_on_its_batch()
    {
        torch.manual_seed(7);
        using var scope = torch.NewDisposeScope();
        var model = new TinyNet();
        var optimizer = torch.optim.AdamW(model.parameters(), lr: 0.05);
        var x = torch.randn(32, 4);
        var y = x.sum(1, keepdim: true);

        var before = torch.nn.functional.mse_loss(model.forward(x), y);
        optimizer.zero_grad();
        before.backward();
        optimizer.step();
        var after = torch.nn.functional.mse_loss(model.forward(x), y);

        Assert.True(after.item<float>() < before.item<float>(),
            $"loss did not fall: {before.item<float>()} -> {after.item<float>()}");
    }

    [Fact]
    public void Save_and_load_round_trip_is_exact()
    {
        torch.manual_seed(11);
        var path = Path.Combine(Path.GetTempPath(), $"activesynth-smoke-{Guid.NewGuid():N}.bin");
        try
        {
            using var original = new TinyNet();
            original.save(path);
            using var restored = new TinyNet();
            restored.load(path);

            var expected = original.state_dict();
            var actual = restored.state_dict();
            Assert.Equal(expected.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
            foreach (var (key, tensor) in expected)
            {
                Assert.True(tensor.equal(actual[key]).all().item<bool>(), $"{key} differs after the round trip");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Cuda_without_a_gpu_fails_with_a_message_naming_the_setting()
    {
        if (torch.cuda.is_available())
        {
            return; // on a GPU machine the device resolves; the CPU path is what this test pins down
        }
        var error = Assert.Throws<InvalidOperationException>(() => TorchRuntime.ResolveDevice(new StudentDeviceOptions { Device = "cuda" }));
        Assert.Contains("Student:Device", error.Message);
    }

    [Fact]
    public void Self_test_computes_on_the_cpu()
    {
        var device = TorchRuntime.ResolveDevice(new StudentDeviceOptions { Device = "cpu" });
        Assert.Equal(8f, TorchRuntime.SelfTest(device));
    }

    [Fact]
    public void OpenMp_workers_are_told_to_sleep_unless_the_process_chose_a_policy()
    {
        // Touching the library runs its module initializer (already run by now in any test order).
        var effective = OpenMpWaitPolicy.Effective;
        var native = Marshal.PtrToStringUTF8(GetEnvironment(OpenMpWaitPolicy.Variable));
        var chosen = Environment.GetEnvironmentVariable(OpenMpWaitPolicy.Variable) ?? Environment.GetEnvironmentVariable("GOMP_SPINCOUNT");
        if (chosen is null)
        {
            Assert.Equal("PASSIVE", effective);
            Assert.Equal("PASSIVE", native); // what libgomp reads when it loads, not .NET's copy of the environment
        }
        else
        {
            Assert.Equal(Environment.GetEnvironmentVariable(OpenMpWaitPolicy.Variable), native);
        }
    }

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnvironment(string name);

    private sealed class TinyNet : torch.nn.Module<torch.Tensor, torch.Tensor>
    {
        private readonly M.Linear _hidden = torch.nn.Linear(4, 16);
        private readonly M.Linear _output = torch.nn.Linear(16, 1);

        public TinyNet() : base(nameof(TinyNet)) => RegisterComponents();

        public override torch.Tensor forward(torch.Tensor input) =>
            _output.forward(torch.nn.functional.relu(_hidden.forward(input)));
    }
}
