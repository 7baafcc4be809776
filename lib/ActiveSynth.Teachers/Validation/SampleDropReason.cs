namespace ActiveSynth.Teachers.Validation;

/// <summary>Why a generated sample was not kept; mirrors the contract's <c>DropReason</c> (the service maps one to the other).</summary>
public enum SampleDropReason
{
    Unparsable = 1,
    Empty = 2,
    NoFinalAnswer = 3,
    DuplicateOfSeed = 4,
    DuplicateOfSample = 5,
    TooLong = 6,
    TeacherError = 7,
    BudgetExhausted = 8,
    Cancelled = 9,
    WrongFamily = 11,
    VerifierRejected = 12,
}

/// <summary>A drop with a short, secret-free detail.</summary>
public sealed record SampleDrop(SampleDropReason Reason, string Detail);
