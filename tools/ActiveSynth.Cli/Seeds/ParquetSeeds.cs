using System.Text;
using ActiveSynth.Core.Datasets;
using ActiveSynth.Core.Tasks;
using Parquet;
using Parquet.Schema;

namespace ActiveSynth.Cli.Seeds;

/// <summary>
/// Seed and test sets in Parquet, the layout of Hugging Face datasets (GSM8K's <c>main/train-00000-of-00001.parquet</c>):
/// one row per item, string columns "question" and "answer" (other names through the options), and optional "id",
/// "family" (strings) and "difficulty" (an integer) columns, as our own exports write them. Other columns are ignored.
/// Rows go through the same checks as JSONL lines (<see cref="SeedSetBuilder"/>): every bad row is reported, by its
/// 1-based number across row groups, and nothing is returned when any is bad. A column of the wrong type or a missing
/// column is a problem with the whole file.
/// </summary>
internal static class ParquetSeeds
{
    public static async Task<IReadOnlyList<TaskItem>> ImportFileAsync(string path, Gsm8kImportOptions options, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            var length = new FileInfo(path).Length;
            if (length > options.MaxFileBytes)
            {
                throw new Gsm8kFormatException($"file is {length} bytes, over the limit of {options.MaxFileBytes}");
            }
            await using var stream = File.OpenRead(path);
            return await ImportAsync(stream, options, ct);
        }
        catch (Gsm8kFormatException ex)
        {
            throw ex.InFile(path);
        }
    }

    public static async Task<IReadOnlyList<TaskItem>> ImportAsync(Stream stream, Gsm8kImportOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            return await ReadAsync(stream, options, ct);
        }
        catch (Exception ex) when (ex is not (Gsm8kFormatException or OperationCanceledException or OutOfMemoryException))
        {
            // A truncated or corrupt file fails inside the Parquet library with whatever it hit (bad footer, bad page
            // header, a wrong offset): for a user it is one problem with the file, not a crash.
            throw new Gsm8kFormatException($"not a readable Parquet file ({ex.GetType().Name}: {ex.Message})", ex);
        }
    }

    private static async Task<IReadOnlyList<TaskItem>> ReadAsync(Stream stream, Gsm8kImportOptions options, CancellationToken ct)
    {
        var builder = new SeedSetBuilder(options, "row");
        var reader = await ParquetReader.CreateAsync(stream, cancellationToken: ct);
        await using (reader)
        {
            var columns = Columns(reader.Schema, options, builder);
            if (columns is null)
            {
                return builder.Build();
            }
            var row = 0;
            for (var group = 0; group < reader.RowGroupCount && !builder.Stopped; group++)
            {
                using var rowGroup = reader.OpenRowGroupReader(group);
                if (rowGroup.RowCount > options.MaxItems - builder.ItemCount)
                {
                    // Checked before reading: the row count is the file's claim, and the columns are read into arrays of it.
                    builder.FailFile($"more than {options.MaxItems} items (row group {group + 1} holds {rowGroup.RowCount} rows)");
                    break;
                }
                var count = (int)rowGroup.RowCount;
                var question = await ReadStrings(rowGroup, columns.Question, count, ct);
                var answer = await ReadStrings(rowGroup, columns.Answer, count, ct);
                var id = columns.Id is null ? null : await ReadStrings(rowGroup, columns.Id, count, ct);
                var family = columns.Family is null ? null : await ReadStrings(rowGroup, columns.Family, count, ct);
                var difficulty = columns.Difficulty is null ? null : await ReadIntegers(rowGroup, columns.Difficulty, count, ct);
                for (var i = 0; i < count && !builder.Stopped; i++)
                {
                    row++;
                    var problems = new List<string>();
                    if (question[i] is null)
                    {
                        problems.Add($"field \"{options.QuestionField}\" is null");
                    }
                    if (answer[i] is null)
                    {
                        problems.Add($"field \"{options.AnswerField}\" is null");
                    }
                    var bytes = Encoding.UTF8.GetByteCount(question[i] ?? "") + Encoding.UTF8.GetByteCount(answer[i] ?? "");
                    if (bytes > options.MaxLineBytes)
                    {
                        builder.Reject(row, $"row is longer than {options.MaxLineBytes} bytes");
                        continue;
                    }
                    builder.Add(row, new SeedRecord(question[i], answer[i], id?[i], family?[i], difficulty?[i]), problems);
                }
            }
            return builder.Build();
        }
    }

    private sealed record SeedColumns(DataField Question, DataField Answer, DataField? Id, DataField? Family, DataField? Difficulty);

    /// <summary>The columns to read; null (with the problems recorded) when a required one is missing or any is of the wrong type.</summary>
    private static SeedColumns? Columns(ParquetSchema schema, Gsm8kImportOptions options, SeedSetBuilder builder)
    {
        var fields = schema.GetDataFields();
        DataField? Find(string name) => fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal) && f.Path.ToList().Count == 1);
        var names = string.Join(", ", fields.Select(f => f.Name));
        var ok = true;
        DataField? Column(string name, Type type, bool required)
        {
            var field = Find(name);
            if (field is null)
            {
                if (required)
                {
                    builder.FailFile($"no column \"{name}\" (columns: {names})");
                    ok = false;
                }
                return null;
            }
            var clr = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
            var integer = type == typeof(long) && clr is var c && (c == typeof(long) || c == typeof(int) || c == typeof(short) || c == typeof(sbyte)
                || c == typeof(byte) || c == typeof(ushort) || c == typeof(uint));
            // Parquet.Net 6 reads UTF-8 columns as ReadOnlyMemory<char> (strings on request).
            var text = type == typeof(string) && (clr == typeof(string) || clr == typeof(ReadOnlyMemory<char>));
            if (field.IsArray || (clr != type && !integer && !text))
            {
                builder.FailFile($"column \"{name}\" holds {(field.IsArray ? "lists" : clr.Name)}, not {(type == typeof(string) ? "strings" : "integers")}");
                ok = false;
                return null;
            }
            return field;
        }
        var question = Column(options.QuestionField, typeof(string), required: true);
        var answer = Column(options.AnswerField, typeof(string), required: true);
        var id = Column("id", typeof(string), required: false);
        var family = Column("family", typeof(string), required: false);
        var difficulty = Column("difficulty", typeof(long), required: false);
        return ok ? new SeedColumns(question!, answer!, id, family, difficulty) : null;
    }

    private static async Task<string?[]> ReadStrings(ParquetRowGroupReader rowGroup, DataField field, int count, CancellationToken ct)
    {
        var values = new string?[count];
        await rowGroup.ReadAsync(field, values.AsMemory()!, null, ct);
        return values;
    }

    private static async Task<long?[]> ReadIntegers(ParquetRowGroupReader rowGroup, DataField field, int count, CancellationToken ct)
    {
        var clr = Nullable.GetUnderlyingType(field.ClrType) ?? field.ClrType;
        return clr == typeof(long) ? await Read<long>(rowGroup, field, count, ct)
            : clr == typeof(int) ? await Read<int>(rowGroup, field, count, ct)
            : clr == typeof(short) ? await Read<short>(rowGroup, field, count, ct)
            : clr == typeof(sbyte) ? await Read<sbyte>(rowGroup, field, count, ct)
            : clr == typeof(byte) ? await Read<byte>(rowGroup, field, count, ct)
            : clr == typeof(ushort) ? await Read<ushort>(rowGroup, field, count, ct)
            : await Read<uint>(rowGroup, field, count, ct);
    }

    private static async Task<long?[]> Read<T>(ParquetRowGroupReader rowGroup, DataField field, int count, CancellationToken ct)
        where T : struct, IConvertible
    {
        var values = new T?[count];
        await rowGroup.ReadAsync(field, values.AsMemory(), null, ct);
        return [.. values.Select(v => v is { } x ? x.ToInt64(System.Globalization.CultureInfo.InvariantCulture) : (long?)null)];
    }
}
