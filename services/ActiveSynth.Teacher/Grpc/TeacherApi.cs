namespace ActiveSynth.Teacher.Grpc;

/// <summary>
/// Teacher.Generate and Teacher.Judge. Their logic arrives with the teachers (issue 5); until then the
/// generated base answers every call with <c>Unimplemented</c>, which clients can tell from a failure.
/// </summary>
public sealed class TeacherApi : Contracts.V1.Teacher.TeacherBase;
