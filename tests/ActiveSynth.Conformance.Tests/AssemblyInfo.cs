// Each test starts a worker process next to a redis-server: one at a time on 2 cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
