// libtorch's RNG and thread count are process-wide.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
