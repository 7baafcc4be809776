using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Testing;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Grpc.Core;
using StackExchange.Redis;

namespace ActiveSynth.Benchmarks.Orchestration;

/// <summary>
/// The scale benchmark (issue 25 item 5): runs of the embedded recipe's task at GSM8K-like sizes (pools of 400, 2,000 and 7,500
/// seeds, a 1,319-item test set) through a real AppHost with its own redis-server, one deployment per Scoring replica count, and
/// per cell (pool × strategy × replicas) the seconds of each stage of each round (the run's StageCompleted events), Redis memory
/// while and after the run, the largest message, and the service processes' peak resident memory. Before the cells, the first
/// deployment measures Redis empty and after N finished small runs (with and without the teacher's response cache). The judge
/// strategies' teacher is a fake OpenAI-compatible endpoint started here (<see cref="FakeOpenAiServer"/>).
/// </summary>
internal static class ScaleOnDeployment
{
    public const string Deployment = "real AppHost (DistributedApplicationTestingBuilder), redis-server executable, 1 replica each of Selection, Teacher and Training, Scoring replicas per cell";

    /// <summary>Judge strategies: their teacher is the fake OpenAI-compatible endpoint.</summary>
    private static readonly HashSet<string> JudgeStrategies = new(StringComparer.Ordinal) { "judge-hard", "lion", "reward-low" };

    private static readonly RunStage[] Stages = [RunStage.Score, RunStage.Select, RunStage.Generate, RunStage.Train, RunStage.Evaluate];

    private const double MiB = 1024.0 * 1024.0;

    /// <summary>Goal thresholds.</summary>
    private const double LinearNormalisedRatioMax = 1.25;
    private const long MaxMessageBytes = 16L * 1024 * 1024;
    private const double ScoreReplicaRatioMax = 0.6;
    private const double FinishedRunsRedisMaxMiB = 5.0;

    public static async Task<int> RunAsync(string work, IReadOnlyList<string> args)
    {
        var options = ScaleOptions.Parse(args, out var error);
        if (options is null)
        {
            if (!string.IsNullOrEmpty(error))
            {
                Console.Error.WriteLine($"scale: {error}");
            }
            Console.Error.WriteLine(ScaleOptions.Usage);
            return string.IsNullOrEmpty(error) ? 0 : 2;
        }
        foreach (var pool in options.Pools)
        {
            // The recipe's families and difficulties must give pool + test distinct questions (a fail here beats one after an hour).
            var spec = EmbeddedRecipe.Spec("random", options.Seed, options.SamplesPerRound, options.Rounds, pool, options.TestSize);
            var errors = RunSpecValidator.Validate(spec, new RunPlanOptions());
            if (errors.Count > 0)
            {
                Console.Error.WriteLine($"scale: pool {pool}: {string.Join("; ", errors.Select(e => $"{e.Field}: {e.Problem}"))}");
                return 2;
            }
        }

        var startedAt = DateTime.UtcNow;
        var loadStart = LoadAverage();
        var commit = await GitAsync("rev-parse HEAD");
        var dirty = (await GitAsync("status --porcelain --untracked-files=no")).Length > 0;
        var artifacts = Path.Combine(work, "artifacts");
        await using var teacher = await FakeOpenAiServer.StartAsync("fake-scale-model");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Student:Threads"] = "1",
            ["Messaging:Consumers:scoring:Concurrency"] = "1",
            ["Messaging:Consumers:scoring:BatchSize"] = options.ScoringBatch.ToString(CultureInfo.InvariantCulture),
            ["Selection:ScoreChunkSize"] = new RunPlanOptions().ScoreChunkSize.ToString(CultureInfo.InvariantCulture),
            ["Selection:ScoreChunksInFlight"] = new RunPlanOptions().ScoreChunksInFlight.ToString(CultureInfo.InvariantCulture),
        };

        var cells = new List<JsonObject>();
        JsonObject? finishedRuns = null;
        var clock = Stopwatch.StartNew();
        foreach (var replicas in options.Replicas)
        {
            Console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] starting a deployment with {replicas} Scoring replica(s)");
            await using var deployment = await ServiceSide.StartAsync(Path.Combine(work, $"deployment-{replicas}"),
            [
                $"--Artifacts:Root={artifacts}",
                // The services' console output is not what is measured: warnings and errors only.
                "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks=None",
                $"--Services:Scoring:Replicas={replicas}",
                $"--ConnectionStrings:teacher={teacher.ConnectionString}",
                .. settings.Select(s => $"--{s.Key}={s.Value}"),
            ]);
            var connection = ConfigurationOptions.Parse(await deployment.App.GetConnectionStringAsync("redis")
                ?? throw new InvalidOperationException("redis has no connection string"));
            connection.AllowAdmin = true;
            await using var redis = await ConnectionMultiplexer.ConnectAsync(connection);
            var probes = new ScaleProbes(redis, artifacts);
            Console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] deployment up: {string.Join(", ", probes.FindServices().GroupBy(p => p.Value).Select(g => $"{g.Key} x{g.Count()}"))}");

            if (finishedRuns is null && options.FinishedRuns > 0)
            {
                finishedRuns = await FinishedRunsAsync(deployment, probes, options, clock);
            }
            else
            {
                // Pretrains (first deployment) or loads the cached base, and warms every process, outside the timed cells.
                await RunToEndAsync(deployment.Runs, $"scale-warmup-r{replicas}", SmallSpec(options.Seed, options.TrainSteps), _ => { }, CancellationToken.None);
            }

            foreach (var pool in options.Pools)
            {
                foreach (var strategy in options.Strategies)
                {
                    var cell = await CellAsync(deployment, probes, options, pool, strategy, replicas);
                    cells.Add(cell);
                    Console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] pool {pool}, {strategy}, {replicas} Scoring: {cell["wall_seconds"]} s, " +
                        $"score {Get(cell, "stage_seconds_total", "score"):0.0} s, rounds {string.Join(" / ", ((JsonArray)cell["rounds"]!).Select(r => $"{(double)r!["total"]!:0.0}"))} s");
                }
            }
        }

        var goals = Goals(cells, finishedRuns, options);
        var result = new JsonObject
        {
            ["config"] = new JsonObject
            {
                ["engine"] = "services",
                ["deployment"] = Deployment,
                ["commit"] = commit + (dirty ? "+dirty" : ""),
                ["task"] = $"the embedded recipe ({EmbeddedRecipe.Name}): {string.Join(",", EmbeddedRecipe.Task(1, 1).Families)} d{EmbeddedRecipe.MinDifficulty}-{EmbeddedRecipe.MaxDifficulty}, generated pool and test set",
                ["pools"] = new JsonArray([.. options.Pools.Select(p => (JsonNode)p)]),
                ["test_set_size"] = options.TestSize,
                ["strategies"] = new JsonArray([.. options.Strategies.Select(s => (JsonNode)s)]),
                ["scoring_replicas"] = new JsonArray([.. options.Replicas.Select(r => (JsonNode)r)]),
                ["rounds"] = options.Rounds,
                ["samples_per_round"] = options.SamplesPerRound,
                ["train_steps_per_round"] = options.TrainSteps,
                ["teacher"] = "embedded for student-scored strategies; a fake OpenAI-compatible endpoint (FakeOpenAiServer, replies from the embedded teacher) for " + string.Join(", ", JudgeStrategies.Order()),
                ["settings"] = new JsonObject([.. settings.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))]),
                ["sample_interval_ms"] = 250,
                ["stage_note"] = "the loop reports scoring and the strategy's selection as one stage (RUN_STAGE_SCORE): score seconds include select, select is 0",
                ["machine"] = $"{Environment.ProcessorCount} cores",
            },
            ["load_average_start"] = loadStart,
            ["load_average_end"] = LoadAverage(),
            ["started_at"] = startedAt.ToString("O", CultureInfo.InvariantCulture),
            ["finished_at"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["wall_seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
            ["cells"] = new JsonArray([.. cells]),
            ["finished_runs"] = finishedRuns,
            ["goals"] = goals,
        };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Output))!);
        await File.WriteAllTextAsync(options.Output, result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        Console.WriteLine();
        Console.WriteLine(Markdown(cells, finishedRuns, goals));
        Console.WriteLine($"wrote {options.Output}");
        return 0;
    }

    /// <summary>The small run of the finished-runs comparison and the warm-up: the recipe's default pool and test set, 1 round of 16.</summary>
    private static RunSpec SmallSpec(long seed, int trainSteps)
    {
        var spec = EmbeddedRecipe.Spec("loss-high", seed, samplesPerRound: 16, maxRounds: 1);
        spec.Training.Steps = trainSteps;
        return spec;
    }

    private static RunSpec CellSpec(ScaleOptions options, int pool, string strategy)
    {
        var spec = EmbeddedRecipe.Spec(strategy, options.Seed, options.SamplesPerRound, options.Rounds, pool, options.TestSize);
        spec.Training.Steps = options.TrainSteps;
        if (JudgeStrategies.Contains(strategy))
        {
            spec.Teacher = new TeacherSpec { Kind = TeacherKind.Openai };
        }
        spec.Labels["suite"] = "scale";
        return spec;
    }

    /// <summary>
    /// Redis of the empty deployment, then after <see cref="ScaleOptions.FinishedRuns"/> small runs finished (4 at a time): with the
    /// response cache, with the cache keys deleted, and with the runs deleted too (DeleteRun).
    /// </summary>
    private static async Task<JsonObject> FinishedRunsAsync(ServiceSide deployment, ScaleProbes probes, ScaleOptions options, Stopwatch clock)
    {
        const string CachePattern = "activesynth:teacher:cache:*";
        await Task.Delay(TimeSpan.FromSeconds(3));
        var (empty, _) = await probes.MemoryAsync();
        var emptyKeys = await probes.DbSizeAsync();
        var familiesEmpty = await probes.KeyFamiliesAsync([]);
        Console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] empty deployment: Redis used_memory {empty / MiB:0.00} MiB, {emptyKeys} keys; {options.FinishedRuns} small runs next");
        var ids = Enumerable.Range(1, options.FinishedRuns).Select(i => $"scale-small-{i:D2}").ToList();
        using (var gate = new SemaphoreSlim(4))
        {
            await Task.WhenAll(ids.Select(async (id, i) =>
            {
                await gate.WaitAsync();
                try
                {
                    await RunToEndAsync(deployment.Runs, id, SmallSpec(1000 + i, options.TrainSteps), _ => { }, CancellationToken.None);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        await Task.Delay(TimeSpan.FromSeconds(3)); // a finished run's transient keys are deleted right after it ends
        var (after, _) = await probes.MemoryAsync();
        var afterKeys = await probes.DbSizeAsync();
        var familiesAfter = await probes.KeyFamiliesAsync(ids);
        var (cacheBytes, cacheKeys) = await probes.MemoryUsageAsync(CachePattern);
        var deletedCache = await probes.DeleteAsync(CachePattern);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var (afterNoCache, _) = await probes.MemoryAsync();
        var keysNoCache = await probes.DbSizeAsync();
        long runKeysDeleted = 0;
        foreach (var id in ids)
        {
            runKeysDeleted += (await deployment.Runs.DeleteRunAsync(new DeleteRunRequest { RunId = id })).KeysDeleted;
        }
        await Task.Delay(TimeSpan.FromSeconds(1));
        var (afterDeleted, _) = await probes.MemoryAsync();
        var keysDeleted = await probes.DbSizeAsync();
        var familiesDeleted = await probes.KeyFamiliesAsync(ids);
        var delta = (afterNoCache - empty) / MiB;
        Console.WriteLine($"[{clock.Elapsed:hh\\:mm\\:ss}] after {options.FinishedRuns} finished runs: {after / MiB:0.00} MiB ({afterKeys} keys), " +
            $"response cache {cacheKeys} keys / {cacheBytes / MiB:0.00} MiB (MEMORY USAGE), without it {afterNoCache / MiB:0.00} MiB (+{delta:0.00} MiB over empty), " +
            $"runs deleted too {afterDeleted / MiB:0.00} MiB");
        return new JsonObject
        {
            ["runs"] = options.FinishedRuns,
            ["run_spec"] = $"the recipe's default task (pool 400, test 120), loss-high, 1 round x 16 samples, {options.TrainSteps} train steps, embedded teacher, 4 runs at a time",
            ["empty_used_memory"] = empty,
            ["empty_keys"] = emptyKeys,
            ["after_used_memory"] = after,
            ["after_keys"] = afterKeys,
            ["response_cache_keys"] = cacheKeys,
            ["response_cache_memory_usage_bytes"] = cacheBytes,
            ["response_cache_keys_deleted"] = deletedCache,
            ["after_without_cache_used_memory"] = afterNoCache,
            ["after_without_cache_keys"] = keysNoCache,
            ["after_runs_deleted_used_memory"] = afterDeleted,
            ["after_runs_deleted_keys"] = keysDeleted,
            ["run_keys_deleted"] = runKeysDeleted,
            ["key_families_empty"] = Families(familiesEmpty),
            ["key_families_after"] = Families(familiesAfter),
            ["key_families_after_runs_deleted"] = Families(familiesDeleted),
            ["growth_without_cache_mib"] = Math.Round(delta, 3),
            ["growth_with_cache_mib"] = Math.Round((after - empty) / MiB, 3),
        };
    }

    private static async Task<JsonObject> CellAsync(ServiceSide deployment, ScaleProbes probes, ScaleOptions options, int pool, string strategy, int replicas)
    {
        var runId = $"scale-p{pool}-{strategy}-r{replicas}";
        var spec = CellSpec(options, pool, strategy);
        var stages = new List<StageCompleted>();
        var rounds = new List<int>();
        var sampler = await probes.StartAsync(runId, TimeSpan.FromMilliseconds(250));
        var clock = Stopwatch.StartNew();
        Run run;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(60));
            run = await RunToEndAsync(deployment.Runs, runId, spec, e =>
            {
                if (e.KindCase == RunEvent.KindOneofCase.StageCompleted)
                {
                    stages.Add(e.StageCompleted);
                    rounds.Add(e.Round);
                }
            }, cts.Token);
        }
        finally
        {
            clock.Stop();
        }
        var samples = await sampler.StopAsync();
        // "Steady": once the finished run's transient keys (stored replies, markers) are gone, or 10 s.
        for (var i = 0; i < 40 && (await probes.KeysAsync($"activesynth:run:{runId}:result:*")).Count > 0; i++)
        {
            await Task.Delay(250);
        }
        var (steady, _) = await probes.MemoryAsync();

        var roundsJson = new JsonArray();
        var totals = Stages.ToDictionary(s => s, _ => 0.0);
        var items = new Dictionary<RunStage, int>();
        foreach (var round in rounds.Distinct().Order())
        {
            var row = new JsonObject { ["round"] = round };
            var total = 0.0;
            foreach (var stage in Stages)
            {
                var seconds = stages.Select((s, i) => (s, i)).Where(x => rounds[x.i] == round && x.s.Stage == stage).Sum(x => x.s.Duration.ToTimeSpan().TotalSeconds);
                row[Name(stage)] = Math.Round(seconds, 3);
                totals[stage] += seconds;
                total += seconds;
                items[stage] = Math.Max(items.GetValueOrDefault(stage), stages.Select((s, i) => (s, i)).Where(x => rounds[x.i] == round && x.s.Stage == stage).Sum(x => x.s.Items));
            }
            row["total"] = Math.Round(total, 3);
            roundsJson.Add(row);
        }
        // Round 0 is the base's evaluation only: the means are over the selection rounds (1..N).
        var baseEvaluate = stages.Select((s, i) => (s, i)).Where(x => rounds[x.i] == 0).Sum(x => x.s.Duration.ToTimeSpan().TotalSeconds);
        totals[RunStage.Evaluate] -= baseEvaluate;
        var roundCount = Math.Max(1, rounds.Where(r => r > 0).Distinct().Count());
        var roundMean = totals.Values.Sum() / roundCount;
        var poolMean = (totals[RunStage.Score] + totals[RunStage.Select]) / roundCount;
        var largest = samples.LargestReply.Bytes >= samples.LargestStreamEntry.Bytes ? samples.LargestReply : samples.LargestStreamEntry;
        return new JsonObject
        {
            ["pool"] = pool,
            ["strategy"] = strategy,
            ["scoring_replicas"] = replicas,
            ["run_id"] = runId,
            ["teacher"] = JudgeStrategies.Contains(strategy) ? "fake-openai" : "embedded",
            ["wall_seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 2),
            ["rounds"] = roundsJson,
            ["base_evaluate_seconds"] = Math.Round(baseEvaluate, 3),
            ["stage_seconds_total"] = new JsonObject([.. Stages.Select(s => KeyValuePair.Create(Name(s), (JsonNode?)Math.Round(totals[s], 3)))]),
            ["stage_items_max_per_round"] = new JsonObject([.. Stages.Select(s => KeyValuePair.Create(Name(s), (JsonNode?)items.GetValueOrDefault(s)))]),
            ["round_seconds_mean"] = Math.Round(roundMean, 3),
            ["round_seconds_per_1000_seeds"] = Math.Round(roundMean / (pool / 1000.0), 3),
            ["score_select_seconds_mean"] = Math.Round(poolMean, 3),
            ["score_select_seconds_per_1000_seeds"] = Math.Round(poolMean / (pool / 1000.0), 3),
            ["accuracy"] = new JsonArray([.. run.Curve.Select(p => (JsonNode)Math.Round(p.Accuracy, 4))]),
            ["samples_kept"] = run.Usage.SamplesKept,
            ["teacher_calls"] = run.Usage.TeacherCalls,
            ["teacher_tokens"] = run.Usage.TeacherTokens,
            ["redis"] = new JsonObject
            {
                ["used_memory_before"] = samples.UsedMemoryBefore,
                ["used_memory_peak_sampled"] = samples.UsedMemoryPeakSampled,
                ["used_memory_steady_after"] = steady,
                ["used_memory_peak_lifetime"] = samples.UsedMemoryPeakLifetime,
                ["samples"] = samples.Samples,
            },
            ["largest_message"] = new JsonObject
            {
                ["bytes"] = largest.Bytes,
                ["where"] = Generalise(largest.Where, runId),
                ["largest_stored_reply_bytes"] = samples.LargestReply.Bytes,
                ["largest_stored_reply_key"] = Generalise(samples.LargestReply.Where, runId),
                ["largest_stream_entry_bytes"] = samples.LargestStreamEntry.Bytes,
                ["largest_stream_entry_stream"] = samples.LargestStreamEntry.Where,
            },
            ["processes"] = new JsonArray([.. samples.Processes.Select(p => (JsonNode)new JsonObject
            {
                ["service"] = p.Service,
                ["peak_rss_during_cell_kb"] = p.PeakRssDuringKb,
                ["vm_hwm_kb"] = p.VmHwmKb,
            })]),
        };
    }

    private static async Task<Run> RunToEndAsync(Runs.RunsClient runs, string runId, RunSpec spec, Action<RunEvent> onEvent, CancellationToken ct)
    {
        await runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = spec }, cancellationToken: ct);
        using (var watch = runs.WatchRun(new WatchRunRequest { RunId = runId, FromStart = true }, cancellationToken: ct))
        {
            await foreach (var e in watch.ResponseStream.ReadAllAsync(ct))
            {
                onEvent(e);
                if (e.KindCase == RunEvent.KindOneofCase.RunFinished)
                {
                    break;
                }
            }
        }
        var run = await runs.GetRunAsync(new GetRunRequest { RunId = runId }, cancellationToken: ct);
        return run.State == RunState.Completed ? run : throw new InvalidOperationException($"run {runId} ended {run.State}: {run.FailureReason}");
    }

    private static JsonObject Goals(List<JsonObject> cells, JsonObject? finishedRuns, ScaleOptions options)
    {
        var goals = new JsonObject();
        var smallest = options.Pools.Min();
        var largestPool = options.Pools.Max();

        // Round time ~ linear in the pool: (t_large / t_small) / (large / small) <= 1.25, for the whole round and for score + select.
        var linear = new JsonArray();
        if (largestPool > smallest)
        {
            foreach (var small in cells.Where(c => (int)c["pool"]! == smallest))
            {
                var large = cells.FirstOrDefault(c => (int)c["pool"]! == largestPool && Same(c, small));
                if (large is null)
                {
                    continue;
                }
                var size = (double)largestPool / smallest;
                var round = (double)large["round_seconds_mean"]! / (double)small["round_seconds_mean"]! / size;
                var pool = (double)large["score_select_seconds_mean"]! / Math.Max(1e-9, (double)small["score_select_seconds_mean"]!) / size;
                linear.Add(new JsonObject
                {
                    ["strategy"] = (string)small["strategy"]!,
                    ["scoring_replicas"] = (int)small["scoring_replicas"]!,
                    ["pools"] = $"{largestPool}/{smallest}",
                    ["round_ratio_normalised"] = Math.Round(round, 3),
                    ["score_select_ratio_normalised"] = Math.Round(pool, 3),
                    ["met"] = round <= LinearNormalisedRatioMax,
                });
            }
        }
        goals["round_time_linear_in_pool"] = new JsonObject
        {
            ["goal"] = $"(mean round seconds at the largest pool / at the smallest) / (largest / smallest) <= {LinearNormalisedRatioMax}",
            ["cells"] = linear,
            ["met"] = linear.Count == 0 ? null : linear.All(l => (bool)l!["met"]!),
        };

        var largestMessage = cells.Select(c => (long)c["largest_message"]!["bytes"]!).DefaultIfEmpty(0).Max();
        goals["no_message_over_16mb"] = new JsonObject
        {
            ["goal"] = "largest stored reply or stream entry <= 16 MiB",
            ["largest_bytes"] = largestMessage,
            ["met"] = largestMessage <= MaxMessageBytes,
        };

        // Score stage with 2 Scoring replicas <= 0.6 x with 1, for each pool and student-scored strategy.
        var replicaRatios = new JsonArray();
        foreach (var one in cells.Where(c => (int)c["scoring_replicas"]! == 1 && !JudgeStrategies.Contains((string)c["strategy"]!)))
        {
            var two = cells.FirstOrDefault(c => (int)c["scoring_replicas"]! == 2 && (int)c["pool"]! == (int)one["pool"]! && (string)c["strategy"]! == (string)one["strategy"]!);
            if (two is null)
            {
                continue;
            }
            var ratio = Get(two, "stage_seconds_total", "score") / Get(one, "stage_seconds_total", "score");
            replicaRatios.Add(new JsonObject
            {
                ["pool"] = (int)one["pool"]!,
                ["strategy"] = (string)one["strategy"]!,
                ["score_seconds_1"] = Get(one, "stage_seconds_total", "score"),
                ["score_seconds_2"] = Get(two, "stage_seconds_total", "score"),
                ["ratio"] = Math.Round(ratio, 3),
                ["met"] = ratio <= ScoreReplicaRatioMax,
            });
        }
        goals["score_2_replicas_vs_1"] = new JsonObject
        {
            ["goal"] = $"score stage seconds (all rounds) with 2 Scoring replicas <= {ScoreReplicaRatioMax} x with 1, per pool and student-scored strategy",
            ["cells"] = replicaRatios,
            ["met"] = replicaRatios.Count == 0 ? null : replicaRatios.All(r => (bool)r!["met"]!),
        };

        if (finishedRuns is not null)
        {
            var growth = (double)finishedRuns["growth_without_cache_mib"]!;
            goals["redis_after_finished_runs"] = new JsonObject
            {
                ["goal"] = $"Redis used_memory after {finishedRuns["runs"]} finished runs, response cache deleted, <= empty + {FinishedRunsRedisMaxMiB} MiB",
                ["growth_without_cache_mib"] = growth,
                ["met"] = growth <= FinishedRunsRedisMaxMiB,
            };
        }
        return goals;
    }

    private static string Markdown(List<JsonObject> cells, JsonObject? finishedRuns, JsonObject goals)
    {
        var md = new StringBuilder();
        md.AppendLine("| pool | strategy | Scoring | round s | score (incl. select) | generate | train | evaluate | s / 1k seeds | score+select s / 1k | Redis peak MiB | steady MiB | largest msg KiB | peak RSS MiB (Sel/Sco/Tea/Tra) |");
        md.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var c in cells)
        {
            var rounds = Math.Max(1, ((JsonArray)c["rounds"]!).Count(r => (int)r!["round"]! > 0));
            var stage = (string s) => Get(c, "stage_seconds_total", s) / rounds;
            var rss = string.Join(" / ", new[] { "Selection", "Scoring", "Teacher", "Training" }.Select(service =>
            {
                var peaks = ((JsonArray)c["processes"]!).Where(p => (string)p!["service"]! == service).Select(p => (long)p!["peak_rss_during_cell_kb"]! / 1024.0).ToList();
                return peaks.Count == 0 ? "?" : string.Join("+", peaks.Select(p => p.ToString("0", CultureInfo.InvariantCulture)));
            }));
            md.AppendLine(CultureInfo.InvariantCulture, $"| {c["pool"]} | {c["strategy"]} | {c["scoring_replicas"]} | {(double)c["round_seconds_mean"]!:0.0} | {stage("score"):0.0} | {stage("generate"):0.0} | {stage("train"):0.0} | {stage("evaluate"):0.0} | {(double)c["round_seconds_per_1000_seeds"]!:0.0} | {(double)c["score_select_seconds_per_1000_seeds"]!:0.0} | {(long)c["redis"]!["used_memory_peak_sampled"]! / MiB:0.0} | {(long)c["redis"]!["used_memory_steady_after"]! / MiB:0.0} | {(long)c["largest_message"]!["bytes"]! / 1024.0:0.0} | {rss} |");
        }
        md.AppendLine();
        md.AppendLine("Stage columns: mean seconds per round 1..N (StageCompleted); the loop reports scoring and the strategy's selection as one stage (score), so select is 0. Redis peak: highest used_memory sampled every 250 ms during the run; steady: after it finished.");
        if (finishedRuns is not null)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"Redis empty {(long)finishedRuns["empty_used_memory"]! / MiB:0.00} MiB; after {finishedRuns["runs"]} finished runs {(long)finishedRuns["after_used_memory"]! / MiB:0.00} MiB; response cache {(long)finishedRuns["response_cache_memory_usage_bytes"]! / MiB:0.00} MiB in {finishedRuns["response_cache_keys"]} keys; without it {(long)finishedRuns["after_without_cache_used_memory"]! / MiB:0.00} MiB (+{(double)finishedRuns["growth_without_cache_mib"]!:0.00} MiB); runs deleted too {(long)finishedRuns["after_runs_deleted_used_memory"]! / MiB:0.00} MiB.");
        }
        md.AppendLine();
        foreach (var (name, goal) in goals)
        {
            var met = goal!["met"] is null ? "not measured" : (bool)goal["met"]! ? "met" : "MISSED";
            md.Append(CultureInfo.InvariantCulture, $"- {name}: {met} ({goal["goal"]})");
            if (goal["cells"] is JsonArray parts && parts.Count > 0)
            {
                md.Append(": ");
                md.Append(string.Join("; ", parts.Select(p => p!["ratio"] is { } ratio
                    ? $"pool {p["pool"]} {p["strategy"]} {ratio}"
                    : $"{p["strategy"]} x{p["scoring_replicas"]} round {p["round_ratio_normalised"]}, score+select {p["score_select_ratio_normalised"]}")));
            }
            else if (goal["largest_bytes"] is { } bytes)
            {
                md.Append(CultureInfo.InvariantCulture, $": {(long)bytes / MiB:0.000} MiB");
            }
            else if (goal["growth_without_cache_mib"] is { } growth)
            {
                md.Append(CultureInfo.InvariantCulture, $": +{(double)growth:0.00} MiB");
            }
            md.AppendLine();
        }
        return md.ToString();
    }

    private static JsonObject Families(SortedDictionary<string, KeyFamily> families) =>
        new([.. families.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)new JsonObject
        {
            ["keys"] = f.Value.Keys,
            ["memory_usage_bytes"] = f.Value.Bytes,
            ["example"] = f.Value.Example,
        }))]);

    private static bool Same(JsonObject a, JsonObject b) =>
        (string)a["strategy"]! == (string)b["strategy"]! && (int)a["scoring_replicas"]! == (int)b["scoring_replicas"]!;

    private static double Get(JsonObject cell, string group, string name) => (double)cell[group]![name]!;

    private static string Name(RunStage stage) => stage.ToString().ToLowerInvariant();

    /// <summary>A key with the run id replaced by &lt;run&gt;, so the JSON says which kind of reply it was.</summary>
    private static string Generalise(string key, string runId) => key.Replace(runId, "<run>", StringComparison.Ordinal);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static async Task<string> GitAsync(string arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, UseShellExecute = false })!;
            var output = await git.StandardOutput.ReadToEndAsync();
            await git.WaitForExitAsync();
            return output.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }
}
