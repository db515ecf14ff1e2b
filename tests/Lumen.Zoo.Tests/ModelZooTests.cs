using Lumen.Tensors;
using Lumen.Tensors.Autograd;

namespace Lumen.Zoo.Tests;

/// <summary>The shipped zoo (<c>models/</c> in the repository): its descriptors, labels and class lookup.</summary>
public class ModelZooTests
{
    private static readonly ModelZoo Zoo = new(SharedData.InRepository("models"));

    [Fact]
    public void The_zoo_lists_the_three_shipped_models()
    {
        Assert.Equal(["mobilenetv2", "squeezenet", "tiny-darknet"], Zoo.Models.Select(m => m.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_default_model_is_mobilenetv2()
    {
        Assert.Equal("mobilenetv2", Zoo.DefaultModel.Name);
        Assert.Single(Zoo.Models, m => m.Default);
    }

    [Fact]
    public void The_default_zoo_is_found_from_the_test_binaries()
    {
        Assert.Equal(Zoo.Models.Select(m => m.Name), ModelZoo.Default.Models.Select(m => m.Name));
    }

    [Fact]
    public void Find_is_case_insensitive_and_an_unknown_name_lists_the_known_ones()
    {
        Assert.Equal("tiny-darknet", Zoo.Find("Tiny-Darknet").Name);
        var error = Assert.Throws<ArgumentException>(() => Zoo.Find("resnet50"));
        Assert.Contains("resnet50", error.Message, StringComparison.Ordinal);
        Assert.Contains("mobilenetv2, squeezenet, tiny-darknet", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Descriptors_map_to_the_documented_preprocessing()
    {
        var squeezenet = Zoo.Find("squeezenet");
        Assert.True(squeezenet.OutputIsProbability);
        Assert.Equal("data_0", squeezenet.Input);
        var p = squeezenet.Preprocess.ToPreprocess();
        Assert.Equal((224, 224, Imaging.ChannelOrder.Bgr, 1f), (p.ResizeShorterSide, p.CropSize, p.Order, p.Scale));
        Assert.Equal([0f, 0f, 0f], p.Mean);
        var darknet = Zoo.Find("tiny-darknet").Preprocess.ToPreprocess();
        Assert.Equal((Imaging.ChannelOrder.Rgb, 1f / 255f), (darknet.Order, darknet.Scale));
        var mobilenet = Zoo.Find("mobilenetv2").Preprocess.ToPreprocess();
        Assert.Equal([127.5f, 127.5f, 127.5f], mobilenet.Mean);
        Assert.Equal([127.5f, 127.5f, 127.5f], mobilenet.Std);
    }

    [Fact]
    public void Labels_drop_the_wordnet_id()
    {
        var labels = ModelZoo.ReadLabels(Path.Combine(Zoo.Folder, "imagenet/synset.txt"));
        Assert.Equal(1000, labels.Count);
        Assert.Equal("tench, Tinca tinca", labels[0]);
        Assert.Equal("toilet tissue, toilet paper, bathroom tissue", labels[999]);
    }

    [Theory]
    [InlineData("mobilenetv2")]
    [InlineData("squeezenet")]
    [InlineData("tiny-darknet")]
    public void The_label_count_matches_the_model_output_size(string name)
    {
        var model = Zoo.Load(name);
        Tensor output;
        using (GradMode.Off()) output = model.Module.Call(Tensor.Zeros(1, 3, model.Descriptor.InputSize, model.Descriptor.InputSize));
        Assert.Equal(model.Labels.Count, output.Size);
        Assert.Equal(1000, model.Labels.Count);
    }

    public static ZooModel Mobilenet { get; } = Zoo.Load("mobilenetv2");

    [Theory]
    [InlineData("207", 207)]
    [InlineData("0", 0)]
    [InlineData("999", 999)]
    [InlineData("golden retriever", 207)]
    [InlineData("Golden Retriever", 207)]
    [InlineData("tench, Tinca tinca", 0)]
    [InlineData("espresso", 967)]
    [InlineData("Tinca", 0)]
    public void FindClass_takes_an_index_a_label_or_a_unique_substring(string query, int expected)
    {
        Assert.Equal(expected, Mobilenet.FindClass(query));
    }

    [Fact]
    public void FindClass_refuses_an_out_of_range_index()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Mobilenet.FindClass("1000"));
        Assert.Contains("1000 classes", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Mobilenet.FindClass("-1"));
    }

    [Fact]
    public void FindClass_names_the_candidates_of_an_ambiguous_substring()
    {
        var error = Assert.Throws<ArgumentException>(() => Mobilenet.FindClass("retriever"));
        Assert.Contains("matches 5 classes", error.Message, StringComparison.Ordinal);
        Assert.Contains("207 golden retriever", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindClass_says_when_nothing_matches()
    {
        var error = Assert.Throws<ArgumentException>(() => Mobilenet.FindClass("unicorn"));
        Assert.Contains("No class of mobilenetv2 matches 'unicorn'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_falls_back_to_the_index_past_the_label_list()
    {
        Assert.Equal("golden retriever", Mobilenet.Label(207));
        Assert.Equal("class 1000", Mobilenet.Label(1000));
    }
}
