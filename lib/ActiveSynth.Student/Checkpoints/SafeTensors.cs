using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Checkpoints;

/// <summary>
/// The safetensors format (huggingface/safetensors), written and read here directly: an 8-byte little-endian header
/// length N, N bytes of JSON header <c>{"__metadata__":{...}, name:{"dtype","shape","data_offsets":[begin,end]}}</c>
/// (padded with spaces to a multiple of 8), then the raw little-endian tensor data. TorchSharp 0.107 has no safetensors
/// support of its own. Supported dtypes: F32, F64, I64, I32, F16, BF16 (read as stored, converted to the parameter's type on load).
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    public static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("safetensors data is little-endian; this writer supports little-endian hosts only.");
        }
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                meta[k] = v;
            }
            header["__metadata__"] = meta;
        }
        var blobs = new List<byte[]>(tensors.Count);
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            using var scope = NewDisposeScope();
            var cpu = tensor.detach().cpu().contiguous();
            var bytes = cpu.bytes.ToArray();
            var shape = new JsonArray();
            foreach (var d in cpu.shape)
            {
                shape.Add(d);
            }
            header[name] = new JsonObject
            {
                ["dtype"] = DtypeName(cpu.dtype),
                ["shape"] = shape,
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            offset += bytes.Length;
            blobs.Add(bytes);
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (var i = json.Length; i < padded; i++)
        {
            stream.WriteByte((byte)' ');
        }
        foreach (var blob in blobs)
        {
            stream.Write(blob);
        }
    }

    /// <summary>Reads every tensor (on the CPU) and the metadata. Throws <see cref="InvalidDataException"/> on a malformed file.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length < 8)
        {
            throw new InvalidDataException("Not a safetensors file: shorter than its 8-byte header length.");
        }
        var headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(data);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > data.Length)
        {
            throw new InvalidDataException($"Not a safetensors file: header length {headerLength} does not fit the file ({data.Length} bytes).");
        }
        JsonObject header;
        try
        {
            header = JsonNode.Parse(data.AsSpan(8, (int)headerLength))?.AsObject() ?? throw new InvalidDataException("safetensors header is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"safetensors header is not valid JSON: {ex.Message}", ex);
        }
        var (entries, metadata) = ParseEntries(header, 8 + headerLength, data.Length, "");
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in entries.Values)
        {
            var t = empty(entry.Shape, entry.Dtype);
            if (entry.ByteLength > 0)
            {
                t.bytes = data.AsSpan((int)entry.Offset, (int)entry.ByteLength).ToArray();
            }
            tensors[entry.Name] = t;
        }
        return (tensors, metadata);
    }

    /// <summary>
    /// The header of a safetensors file on disk, without reading its data: what a large or sharded checkpoint needs
    /// (a 0.5B model does not fit one byte[]; tensors are then read one at a time with <see cref="ReadTensor"/>).
    /// Errors name the file.
    /// </summary>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> lengthBytes = stackalloc byte[8];
        if (stream.Length < 8 || stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
        {
            throw new InvalidDataException($"{path}: not a safetensors file (shorter than its 8-byte header length).");
        }
        var headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > stream.Length)
        {
            throw new InvalidDataException($"{path}: not a safetensors file (header length {headerLength} does not fit the file of {stream.Length} bytes).");
        }
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        JsonObject header;
        try
        {
            header = JsonNode.Parse(headerBytes)?.AsObject() ?? throw new InvalidDataException($"{path}: safetensors header is empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: safetensors header is not valid JSON: {ex.Message}", ex);
        }
        var (entries, metadata) = ParseEntries(header, 8 + headerLength, stream.Length, $"{path}: ");
        return new SafeTensorsHeader(path, entries, metadata);
    }

    /// <summary>Reads one tensor of <paramref name="header"/> from <paramref name="stream"/> (the same file), on the CPU, in its stored dtype.</summary>
    public static Tensor ReadTensor(Stream stream, SafeTensorsEntry entry)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(entry);
        var t = empty(entry.Shape, entry.Dtype);
        if (entry.ByteLength > 0)
        {
            var data = new byte[entry.ByteLength];
            stream.Seek(entry.Offset, SeekOrigin.Begin);
            stream.ReadExactly(data);
            t.bytes = data;
        }
        return t;
    }

    /// <summary>
    /// The entries of a parsed header, each checked against the file before anything is allocated: a hostile header may
    /// claim negative or astronomically large sizes, so every check runs before arithmetic can wrap around.
    /// </summary>
    private static (Dictionary<string, SafeTensorsEntry> Entries, Dictionary<string, string> Metadata) ParseEntries(
        JsonObject header, long body, long fileLength, string where)
    {
        var entries = new Dictionary<string, SafeTensorsEntry>(StringComparer.Ordinal);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__")
                {
                    foreach (var (k, v) in node!.AsObject())
                    {
                        metadata[k] = v?.GetValue<string>() ?? "";
                    }
                    continue;
                }
                var entry = node!.AsObject();
                var dtype = ScalarTypeOf(entry["dtype"]!.GetValue<string>(), name);
                var shape = entry["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                var offsets = entry["data_offsets"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > fileLength - body || shape.Any(d => d < 0))
                {
                    throw new InvalidDataException($"{where}safetensors entry '{name}' has data offsets or a shape outside the file.");
                }
                long expected;
                try
                {
                    expected = checked(shape.Aggregate(1L, (a, b) => a * b) * ElementSize(dtype));
                }
                catch (OverflowException)
                {
                    throw new InvalidDataException($"{where}safetensors entry '{name}' has a shape too large for any file.");
                }
                if (offsets[1] - offsets[0] != expected)
                {
                    throw new InvalidDataException($"{where}safetensors entry '{name}' has data offsets that do not match its shape or the file.");
                }
                entries[name] = new SafeTensorsEntry(name, dtype, shape, body + offsets[0], expected);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or NullReferenceException or FormatException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"{where}safetensors header is malformed: {ex.Message}", ex);
        }
        return (entries, metadata);
    }

    private static string DtypeName(ScalarType type) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        _ => throw new NotSupportedException($"safetensors writer: dtype {type} is not supported."),
    };

    private static ScalarType ScalarTypeOf(string name, string tensor) => name switch
    {
        "F32" => ScalarType.Float32,
        "F64" => ScalarType.Float64,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        _ => throw new InvalidDataException($"safetensors entry '{tensor}' has unsupported dtype '{name}'."),
    };

    private static long ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        _ => 2,
    };
}

/// <summary>One tensor's place in a safetensors file: dtype, shape, absolute byte offset and length.</summary>
public sealed record SafeTensorsEntry(string Name, ScalarType Dtype, long[] Shape, long Offset, long ByteLength);

/// <summary>The parsed header of a safetensors file: its tensors by name and its metadata.</summary>
public sealed record SafeTensorsHeader(string Path, IReadOnlyDictionary<string, SafeTensorsEntry> Entries, IReadOnlyDictionary<string, string> Metadata);
